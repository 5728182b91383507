import { describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringSink } from "../../test/string-sink.js";
import { COVERAGE_USAGE, coverageMain } from "./coverage-cli.js";
import { GENERATED_MARKER } from "./spec-statements.js";

const INDEX = "| file | prefix | scope |\n|---|---|---|\n| [alpha.md](alpha.md) | AL | alpha |\n";
const ALPHA = [
  "- **AL-1** `[uf]` The user function MUST answer.",
  "- **AL-2** `[both]` Each side MUST NOT lie.",
  "- **AL-3** `[proxy]` The proxy MUST route.",
  "- **AL-4** `[uf]` The user function MAY log.",
  "",
].join("\n");

function caseYaml(name: string, requirements: string[], mode?: string): string {
  return [`  - name: A/${name}`, `    requirements: [${requirements.join(", ")}]`, ...(mode === undefined ? [] : [`    mode: ${mode}`]), "    steps:", "      - discover: {}"].join("\n");
}

/** A workspace with spec/ and cases/; returns its directory. */
function workspace(cases: string[], alpha = ALPHA): string {
  const dir = mkdtempSync(join(tmpdir(), "coverage-cli-"));
  mkdirSync(join(dir, "spec"));
  mkdirSync(join(dir, "cases"));
  writeFileSync(join(dir, "spec", "README.md"), INDEX);
  writeFileSync(join(dir, "spec", "alpha.md"), alpha);
  writeFileSync(join(dir, "cases", "a.yaml"), `area: A\ncases:\n${cases.join("\n")}\n`);
  return dir;
}

function run(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const stdout = new StringSink();
  const stderr = new StringSink();
  const code = coverageMain(args, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const ARGS = ["--spec", "spec", "--cases", "cases", "--out", "spec/coverage.md"];

describe("spec-coverage command", () => {
  it("writes the table and says how many MUSTs are covered", () => {
    const dir = workspace([caseYaml("one", ["AL-1", "AL-3"]), caseYaml("proxy", ["AL-3"], "MODE_PROXY")]);
    const { code, stdout, stderr } = run(ARGS, dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(
      [
        "wrote spec/coverage.md",
        "[uf]/[both] MUST and MUST NOT statements covered by SDK cases: 1 of 2",
        "[proxy] MUST and MUST NOT statements covered by proxy cases: 1 of 1",
        "",
      ].join("\n"),
    );
    const written = readFileSync(join(dir, "spec", "coverage.md"), "utf8");
    expect(written.startsWith(GENERATED_MARKER)).toBe(true);
    expect(written).toContain("| AL-3 | proxy | MUST | The proxy MUST route. | A/one | A/proxy |");
    expect(written).toContain("## [alpha.md](alpha.md) (AL)");
  });

  it("does not read its own output as spec on the next run", () => {
    const dir = workspace([caseYaml("one", ["AL-1"])]);
    expect(run(ARGS, dir).code).toBe(0);
    const first = readFileSync(join(dir, "spec", "coverage.md"), "utf8");
    expect(run(ARGS, dir).code).toBe(0);
    expect(readFileSync(join(dir, "spec", "coverage.md"), "utf8")).toBe(first);
  });

  it("prints the table to stdout without --out", () => {
    const dir = workspace([caseYaml("one", ["AL-1"])]);
    const { code, stdout, stderr } = run(["--spec", "spec", "--cases", "cases"], dir);
    expect(code).toBe(0);
    expect(stdout.startsWith(GENERATED_MARKER)).toBe(true);
    expect(stderr).toContain("covered by SDK cases: 1 of 2");
  });

  it("with --check, exits 1 listing the uncovered MUSTs of those roles", () => {
    const dir = workspace([caseYaml("one", ["AL-1"])]);
    const { code, stderr } = run([...ARGS, "--check", "uf,both"], dir);
    expect(code).toBe(1);
    expect(stderr).toBe("spec-coverage: 1 MUST statement of [uf], [both] cited by no case of their side:\n  spec/alpha.md:2: AL-2 [both] Each side MUST NOT lie.\n");
  });

  it("with --check, exits 0 when those roles are covered", () => {
    const dir = workspace([caseYaml("one", ["AL-1", "AL-2"])]);
    const { code, stdout } = run([...ARGS, "--check", "uf,both"], dir);
    expect(code).toBe(0);
    expect(stdout).toContain("check: every MUST of [uf], [both] is covered\n");
  });

  describe("--exclusions", () => {
    const EXCLUSIONS = "exclusions:\n  - { id: AL-2, reason: not observable on the wire }\n";
    const withExclusions = (dir: string, text = EXCLUSIONS) => {
      writeFileSync(join(dir, "exclusions.yaml"), text);
      return dir;
    };

    it("accounts for excluded MUSTs in --check and says how many", () => {
      const dir = withExclusions(workspace([caseYaml("one", ["AL-1"])]));
      const { code, stdout, stderr } = run([...ARGS, "--exclusions", "exclusions.yaml", "--check", "uf,both"], dir);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("[uf]/[both] MUST and MUST NOT statements covered by SDK cases: 1 of 2, 1 excluded (not checkable by the TCK)\n");
      expect(stdout).toContain("check: every MUST of [uf], [both] is covered or excluded (1 excluded)\n");
      expect(readFileSync(join(dir, "spec", "coverage.md"), "utf8")).toContain("| AL-2 | both | MUST NOT | Each side MUST NOT lie. | *excluded:* not observable on the wire |  |");
    });

    it("still fails --check for MUSTs neither covered nor excluded", () => {
      const dir = withExclusions(workspace([caseYaml("one", ["AL-3"])]));
      const { code, stderr } = run([...ARGS, "--exclusions", "exclusions.yaml", "--check", "uf,both"], dir);
      expect(code).toBe(1);
      expect(stderr).toBe("spec-coverage: 1 MUST statement of [uf], [both] cited by no case of their side and not excluded:\n  spec/alpha.md:1: AL-1 [uf] The user function MUST answer.\n");
    });

    it("without the option, nothing is excluded", () => {
      const dir = withExclusions(workspace([caseYaml("one", ["AL-1"])]));
      expect(run([...ARGS, "--check", "uf,both"], dir).code).toBe(1);
    });

    it.each([
      ["an id the spec does not define", "exclusions:\n  - { id: AL-9, reason: r }\n", [caseYaml("one", ["AL-1"])], "  AL-9: no spec statement defines it"],
      ["a statement a case of its side cites", EXCLUSIONS, [caseYaml("one", ["AL-1", "AL-2"])], "  AL-2: cited by A/one, so the TCK checks it: remove the exclusion"],
    ])("exits 2 on a stale exclusion: %s", (_what, text, cases, line) => {
      const dir = withExclusions(workspace(cases), text);
      const { code, stderr } = run([...ARGS, "--exclusions", "exclusions.yaml"], dir);
      expect(code).toBe(2);
      expect(stderr).toBe(`spec-coverage: stale exclusions in exclusions.yaml:\n${line}\n`);
    });

    it("accepts excluding a statement that only a case of the other side cites", () => {
      const dir = withExclusions(workspace([caseYaml("one", ["AL-1"]), caseYaml("proxy", ["AL-2"], "MODE_PROXY")]));
      expect(run([...ARGS, "--exclusions", "exclusions.yaml", "--check", "uf,both"], dir).code).toBe(0);
    });

    it.each([
      ["a malformed file", "exclusions: [{ id: AL-2 }]\n", "exclusions.yaml: exclusion 1 (AL-2): reason must be a non-empty string"],
      ["a missing file", undefined, "cannot read"],
    ])("exits 2 on %s", (_what, text, message) => {
      const dir = workspace([caseYaml("one", ["AL-1"])]);
      if (text !== undefined) withExclusions(dir, text);
      const { code, stderr } = run([...ARGS, "--exclusions", "exclusions.yaml"], dir);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    });
  });

  it("exits 2 when a case cites an id the spec does not define", () => {
    const dir = workspace([caseYaml("one", ["AL-1", "AL-9"])]);
    const { code, stderr } = run(ARGS, dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`spec-coverage: cases cite ids that do not exist:\n  ${join("cases", "a.yaml")}: case A/one cites AL-9, which no spec statement defines\n`);
  });

  it("exits 2 on a malformed spec, with each problem's place", () => {
    const dir = workspace([caseYaml("one", ["AL-1"])], "- **AL-1** `[uf]` No keyword.\n- **AL-3** `[uf]` It MUST.\n");
    const { code, stderr } = run(ARGS, dir);
    expect(code).toBe(2);
    expect(stderr).toBe(
      [
        "spec-coverage: the spec has 2 problems:",
        "  spec/alpha.md:1: AL-1: no requirement keyword; a statement has exactly one of MUST, MUST NOT, SHOULD, SHOULD NOT, MAY",
        "  spec/alpha.md:2: gap in numbering before AL-3: AL-2 missing (ids are never removed; a withdrawn statement keeps its id, spec/README.md §1.3)",
        "",
      ].join("\n"),
    );
  });

  it.each([
    [["--cases", "cases"], "--spec DIR is required"],
    [["--spec", "spec"], "--cases DIR is required"],
    [["--spec", "spec", "--cases", "cases", "--check", "uf,client"], '--check: unknown role "client" (roles: proxy, uf, both)'],
    [["--spec", "spec", "--cases", "cases", "--nope"], "Unknown option '--nope'"],
    [["--spec", "spec", "--cases", "cases", "--exclusions", " "], "--exclusions is empty"],
  ])("exits 2 with the usage for %j", (args, message) => {
    const { code, stderr } = run(args, workspace([]));
    expect(code).toBe(2);
    expect(stderr.startsWith(`spec-coverage: ${message}`)).toBe(true);
    expect(stderr.endsWith(COVERAGE_USAGE)).toBe(true);
  });

  it("prints the usage for --help", () => {
    expect(run(["--help"], tmpdir())).toEqual({ code: 0, stdout: COVERAGE_USAGE, stderr: "" });
  });
});
