// Proves that the proxy side of the TCK can fail: each mutant proxy (the
// reference proxy with one seeded fault, see proxy-mutants.ts) must fail the
// proxy-mode cases that check the rule it breaks, while the unmodified proxy,
// run the same way (tck.proxy.yaml, see mutant-run.ts), passes every case the
// mutants are run against.
//
// Each mutant costs a start of the proxy and of the TCK model (a couple of
// seconds) and only the few cases that catch it; the whole file takes about a
// minute (`make mutants` runs it alone). PROXY_MUTANTS=0 skips the runs and
// checks only the declarations, among them that every patch still applies to
// the compiled proxy exactly once. Needs the build (`npx tsc --build`). Set
// PROXY_MUTANTS_REPORT=<file> to write each mutant's failed cases as JSON
// (the source of the table in docs/certifying-a-proxy.md),
// PROXY_MUTANTS_ALL_CASES=1 to run every proxy-mode case against each mutant
// instead of its `run` cases (slow; to recompute which cases catch it), and
// PROXY_MUTANTS_GAPS=1 to also run the mutants no case catches yet, which
// then must still pass.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tckCases } from "@cloudstate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type LoadedCase, loadCases } from "../../src/cases/case-loader.js";
import { patternToRegExp } from "../../src/runner/pattern.js";
import type { CaseResult } from "../../src/runner/results.js";
import { buildMutantProxy, occurrences, PROXY_DIR, type ProxyMutant } from "./mutant-proxy.js";
import { runCasesAgainst, runnableIn, runtimeConfiguration } from "./mutant-run.js";
import { GAP_MUTANTS, PROXY_MUTANTS } from "./proxy-mutants.js";

const CASES_DIR = fileURLToPath(new URL("../../cases", import.meta.url));
const RUN_MUTANTS = process.env.PROXY_MUTANTS !== "0";
const RUN_GAPS = process.env.PROXY_MUTANTS_GAPS === "1";
const ALL_CASES = process.env.PROXY_MUTANTS_ALL_CASES === "1";
/** Per run: two process start-ups (model and proxy, a few seconds on a busy machine) and its cases. */
const RUN_TIMEOUT_MS = ALL_CASES ? 900_000 : 90_000;

let cases: LoadedCase[] = [];
const report: Record<string, string[]> = {};

beforeAll(() => {
  cases = loadCases(CASES_DIR).filter((c) => c.case.mode === tckCases.Mode.MODE_PROXY);
});

afterAll(() => {
  const file = process.env.PROXY_MUTANTS_REPORT;
  if (file !== undefined && file !== "") writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
});

const matchesAny = (patterns: readonly string[]) => (c: LoadedCase) => patterns.some((p) => patternToRegExp(p).test(c.case.name));
/** The cases a mutant runs, in its configuration. */
const casesOf = (mutant: ProxyMutant) => runnableIn(mutant.configuration, ALL_CASES ? cases : cases.filter(matchesAny(mutant.run)));
const failedNames = (results: readonly CaseResult[]) => results.filter((r) => r.status === "failed").map((r) => r.name);
const label = (mutant: ProxyMutant) => `${mutant.rule}${mutant.configuration === undefined ? "" : `, in ${mutant.configuration}`}`;

async function runMutant(mutant: ProxyMutant): Promise<CaseResult[]> {
  const copy = buildMutantProxy(mutant);
  try {
    return await runCasesAgainst(copy.dir, casesOf(mutant), mutant.configuration);
  } finally {
    copy.remove();
  }
}

describe("mutant proxy declarations", () => {
  const all = [...PROXY_MUTANTS, ...GAP_MUTANTS];

  it("has at least 12 caught mutants with unique names, a rule and cases that must fail", () => {
    expect(PROXY_MUTANTS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
    for (const m of all) expect({ name: m.name, rule: m.rule.length > 0, fault: m.fault.length > 0 }).toEqual({ name: m.name, rule: true, fault: true });
    for (const m of PROXY_MUTANTS) expect({ name: m.name, mustFail: m.mustFail.length > 0 }).toEqual({ name: m.name, mustFail: true });
    for (const m of GAP_MUTANTS) expect({ name: m.name, mustFail: m.mustFail }).toEqual({ name: m.name, mustFail: [] });
  });

  it.each(all.map((m) => [m.name, m] as const))("%s: its patch applies exactly once to the compiled proxy", (_name, mutant) => {
    const file = join(PROXY_DIR, "dist", mutant.file);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npx tsc --build first (or the mutant names a file the proxy no longer has)`);
    expect(occurrences(readFileSync(file, "utf8"), mutant.find)).toBe(1);
  });

  it.each(all.map((m) => [m.name, m] as const))("%s: its configuration exists and every must-fail pattern names a case it runs", (_name, mutant) => {
    expect(() => runtimeConfiguration(mutant.configuration)).not.toThrow();
    const ran = casesOf(mutant);
    expect(ran.length).toBeGreaterThan(0);
    for (const pattern of mutant.mustFail) {
      expect({ pattern, runs: ran.some(matchesAny([pattern])) }).toEqual({ pattern, runs: true });
    }
  });
});

const describeRuns = RUN_MUTANTS || RUN_GAPS ? describe : describe.skip;
describeRuns("the unmodified proxy", () => {
  const mutants = [...(RUN_MUTANTS ? PROXY_MUTANTS : []), ...(RUN_GAPS ? GAP_MUTANTS : [])];
  const configurations = [...new Set(mutants.map((m) => m.configuration))];
  it.each(configurations.map((c) => [c ?? "the main run", c] as const))(
    "passes, in %s, every case any mutant is run against there",
    async (_label, configuration) => {
      const names = new Set(mutants.filter((m) => m.configuration === configuration).flatMap((m) => casesOf(m).map((c) => c.case.name)));
      const selected = cases.filter((c) => names.has(c.case.name));
      const results = await runCasesAgainst(PROXY_DIR, selected, configuration);
      expect(results.length).toBe(selected.length);
      const notPassed = results.filter((r) => r.status !== "passed").map((r) => `${r.name}: ${r.status} ${r.failure?.message ?? r.reason ?? ""}`);
      report[`control: ${configuration ?? "main run"}`] = notPassed;
      expect(notPassed).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});

const describeMutants = RUN_MUTANTS ? describe : describe.skip;
describeMutants("each mutant proxy", () => {
  it.each(PROXY_MUTANTS.map((m) => [m.name, label(m), m] as const))(
    "%s (%s) is failed by the TCK",
    async (_name, _label, mutant) => {
      const results = await runMutant(mutant);
      const failed = failedNames(results);
      report[mutant.name] = failed;
      expect(failed.length).toBeGreaterThan(0);
      for (const pattern of mutant.mustFail) {
        const ran = results.filter((r) => patternToRegExp(pattern).test(r.name));
        expect({ pattern, ran: ran.length > 0 }).toEqual({ pattern, ran: true });
        expect({ pattern, notFailed: ran.filter((r) => r.status !== "failed").map((r) => `${r.name} (${r.status})`) }).toEqual({ pattern, notFailed: [] });
      }
    },
    RUN_TIMEOUT_MS,
  );
});

const describeGaps = RUN_GAPS ? describe : describe.skip;
describeGaps("each known gap (PROXY_MUTANTS_GAPS=1)", () => {
  it.each(GAP_MUTANTS.map((m) => [m.name, label(m), m] as const))(
    "%s (%s) is still not caught",
    async (_name, _label, mutant) => {
      const results = await runMutant(mutant);
      const failed = failedNames(results);
      report[`gap: ${mutant.name}`] = failed;
      expect(results.length).toBeGreaterThan(0);
      expect(failed).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});
