#!/usr/bin/env node
// The spec coverage command (`make spec-coverage`): the only module of the
// coverage tool that touches process.stdout and process.exit.
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadCases } from "../cases/case-loader.js";
import { errorMessage } from "../report/error-message.js";
import { type CoverageExclusion, readExclusions } from "./coverage-exclusions.js";
import {
  ABSOLUTE_STRENGTHS,
  type CoverageCase,
  coverageCases,
  isCovered,
  isExcluded,
  joinCoverage,
  renderCoverageMarkdown,
  shortText,
  sideOf,
  uncoveredMusts,
} from "./spec-coverage.js";
import { formatSpecProblem, type ParsedSpec, readSpecDir, ROLES, type Role } from "./spec-statements.js";

export const COVERAGE_USAGE = `Usage: node dist/coverage/coverage-cli.js --spec DIR --cases DIR [--exclusions FILE] [--out FILE] [--check ROLES]

Joins the spec's statements (DIR/*.md) with the TCK cases that cite them and
writes the coverage table as Markdown.

Options:
  --spec DIR      the spec directory (its *.md files; generated files are skipped)
  --cases DIR     the TCK cases directory (*.yaml)
  --exclusions FILE
                  statements the TCK cannot check (YAML: exclusions: a list of
                  { id, reason }); shown with their reason and accounted for by
                  --check (default: none)
  --out FILE      write the table there (default: standard output)
  --check ROLES   comma-separated roles (proxy, uf, both): fail when a MUST or
                  MUST NOT statement of these roles is cited by no case of its
                  side (SDK cases for uf and both, proxy cases for proxy) and
                  not excluded
  --help          show this help

Exit status: 0 when done (and, with --check, every such MUST is covered or
excluded), 1 when --check finds uncovered MUSTs, 2 on a usage error, a
malformed spec, a bad case or exclusions file, a case citing an id the spec
does not define, or a stale exclusion (of an id the spec does not define, or
of a statement a case of its side cites).
`;

export const EXIT_OK = 0;
export const EXIT_UNCOVERED = 1;
export const EXIT_ERROR = 2;

/** What coverageMain runs against. */
export interface CoverageCliEnvironment {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Base for relative paths. */
  readonly cwd: string;
}

interface CoverageOptions {
  readonly spec: string;
  readonly cases: string;
  readonly exclusions?: string;
  readonly out?: string;
  readonly check?: readonly Role[];
}

/** Runs the coverage command and returns the exit status. */
export function coverageMain(args: readonly string[], io: CoverageCliEnvironment): number {
  const error = (message: string) => {
    io.stderr.write(`spec-coverage: ${message}\n`);
    return EXIT_ERROR;
  };
  let options: CoverageOptions | "help";
  try {
    options = parseCoverageArgs(args);
  } catch (e) {
    io.stderr.write(`spec-coverage: ${errorMessage(e)}\n\n${COVERAGE_USAGE}`);
    return EXIT_ERROR;
  }
  if (options === "help") {
    io.stdout.write(COVERAGE_USAGE);
    return EXIT_OK;
  }

  const specDir = resolve(io.cwd, options.spec);
  let spec: ParsedSpec;
  let cases: CoverageCase[];
  let exclusions: CoverageExclusion[] = [];
  try {
    spec = readSpecDir(specDir);
    cases = coverageCases(loadCases(resolve(io.cwd, options.cases)));
    if (options.exclusions !== undefined) exclusions = readExclusions(resolve(io.cwd, options.exclusions));
  } catch (e) {
    return error(errorMessage(e));
  }
  if (spec.problems.length > 0) {
    const lines = spec.problems.map((p) => `  ${formatSpecProblem({ ...p, file: join(options.spec, p.file) })}`);
    return error(`the spec has ${spec.problems.length} problem${spec.problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`);
  }
  const report = joinCoverage(spec.statements, cases, exclusions);
  if (report.unknownRequirements.length > 0) {
    const lines = report.unknownRequirements.map((u) => `  ${relative(io.cwd, u.file)}: case ${u.caseName} cites ${u.id}, which no spec statement defines`);
    return error(`cases cite ids that do not exist:\n${lines.join("\n")}`);
  }
  if (report.staleExclusions.length > 0) {
    const lines = report.staleExclusions.map((x) =>
      x.citedBy.length === 0
        ? `  ${x.id}: no spec statement defines it`
        : `  ${x.id}: cited by ${x.citedBy.join(", ")}, so the TCK checks it: remove the exclusion`,
    );
    return error(`stale exclusions in ${options.exclusions ?? "the exclusions"}:\n${lines.join("\n")}`);
  }

  const outFile = options.out === undefined ? undefined : resolve(io.cwd, options.out);
  const markdown = renderCoverageMarkdown(report, {
    specLink: (file) => (outFile === undefined ? file : relative(dirname(outFile), join(specDir, file)).split("\\").join("/")),
  });
  // With the table on stdout, the rest of what the command says goes to stderr.
  const say = outFile === undefined ? io.stderr : io.stdout;
  if (outFile === undefined) io.stdout.write(markdown);
  else {
    try {
      mkdirSync(dirname(outFile), { recursive: true });
      writeFileSync(outFile, markdown);
    } catch (e) {
      return error(`cannot write ${options.out}: ${errorMessage(e)}`);
    }
    say.write(`wrote ${options.out}\n`);
  }
  for (const roles of [["uf", "both"], ["proxy"]] as const) {
    const musts = report.statements.filter((c) => roles.some((r) => r === c.statement.role) && ABSOLUTE_STRENGTHS.includes(c.statement.strength));
    const side = sideOf(roles[0]) === "sdk" ? "SDK" : "proxy";
    const excluded = musts.filter(isExcluded).length;
    say.write(
      `${roles.map((r) => `[${r}]`).join("/")} MUST and MUST NOT statements covered by ${side} cases: ${musts.filter(isCovered).length} of ${musts.length}` +
        `${excluded > 0 ? `, ${excluded} excluded (not checkable by the TCK)` : ""}\n`,
    );
  }

  if (options.check === undefined) return EXIT_OK;
  const roles = options.check;
  const uncovered = uncoveredMusts(spec.statements, cases, roles, exclusions);
  const checked = roles.map((r) => `[${r}]`).join(", ");
  if (uncovered.length === 0) {
    const excluded = report.statements.filter((c) => roles.includes(c.statement.role) && ABSOLUTE_STRENGTHS.includes(c.statement.strength) && isExcluded(c)).length;
    say.write(`check: every MUST of ${checked} is covered${excluded > 0 ? ` or excluded (${excluded} excluded)` : ""}\n`);
    return EXIT_OK;
  }
  io.stderr.write(`spec-coverage: ${uncovered.length} MUST statement${uncovered.length === 1 ? "" : "s"} of ${checked} cited by no case of their side${exclusions.length > 0 ? " and not excluded" : ""}:\n`);
  for (const s of uncovered) io.stderr.write(`  ${join(options.spec, s.file)}:${s.line}: ${s.id} [${s.role}] ${shortText(s.text, 80)}\n`);
  return EXIT_UNCOVERED;
}

function parseCoverageArgs(args: readonly string[]): CoverageOptions | "help" {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: "boolean", short: "h" },
      spec: { type: "string" },
      cases: { type: "string" },
      exclusions: { type: "string" },
      out: { type: "string" },
      check: { type: "string" },
    },
  });
  if (values.help === true) return "help";
  if (values.spec === undefined || values.spec.trim() === "") throw new Error("--spec DIR is required");
  if (values.cases === undefined || values.cases.trim() === "") throw new Error("--cases DIR is required");
  if (values.out?.trim() === "") throw new Error("--out is empty");
  if (values.exclusions?.trim() === "") throw new Error("--exclusions is empty");
  return {
    spec: values.spec,
    cases: values.cases,
    ...(values.exclusions === undefined ? {} : { exclusions: values.exclusions }),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.check === undefined ? {} : { check: parseRoles(values.check) }),
  };
}

function parseRoles(list: string): Role[] {
  const names = list.split(",").map((r) => r.trim()).filter((r) => r !== "");
  if (names.length === 0) throw new Error(`--check needs roles (${ROLES.join(", ")})`);
  return names.map((name) => {
    const role = ROLES.find((r) => r === name);
    if (role === undefined) throw new Error(`--check: unknown role "${name}" (roles: ${ROLES.join(", ")})`);
    return role;
  });
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = coverageMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
}
