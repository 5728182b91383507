import { describe, expect, it } from "@jest/globals";
import { tckCases } from "@cloudstate/protocol";
import {
  type CoverageCase,
  coverageCases,
  isExcluded,
  joinCoverage,
  renderCoverageMarkdown,
  shortText,
  summarizeCoverage,
  uncoveredMusts,
} from "./spec-coverage.js";
import { GENERATED_MARKER, type Role, type SpecStatement, type Strength } from "./spec-statements.js";

function statement(id: string, role: Role, strength: Strength, text = `It ${strength}.`, file = "alpha.md"): SpecStatement {
  const [prefix = "", number = "0"] = id.split("-");
  return { id, prefix, number: Number(number), file, role, strength, text, line: Number(number) };
}

function sdkCase(name: string, ...requirements: string[]): CoverageCase {
  return { name, file: "cases/a.yaml", side: "sdk", requirements };
}

function proxyCase(name: string, ...requirements: string[]): CoverageCase {
  return { name, file: "cases/p.yaml", side: "proxy", requirements };
}

const STATEMENTS = [
  statement("AL-1", "uf", "MUST"),
  statement("AL-2", "uf", "MUST NOT"),
  statement("AL-3", "both", "MUST"),
  statement("AL-4", "proxy", "MUST"),
  statement("AL-5", "uf", "SHOULD"),
  statement("AL-6", "proxy", "MUST NOT"),
];

describe("coverageCases", () => {
  it("takes the side from the case's mode", () => {
    const loaded = [
      { area: "A", file: "a.yaml", case: tckCases.Case.fromPartial({ name: "A/sdk", requirements: ["AL-1"] }) },
      { area: "A", file: "a.yaml", case: tckCases.Case.fromPartial({ name: "A/proxy", requirements: ["AL-4"], mode: tckCases.Mode.MODE_PROXY }) },
    ];
    expect(coverageCases(loaded)).toEqual([
      { name: "A/sdk", file: "a.yaml", side: "sdk", requirements: ["AL-1"] },
      { name: "A/proxy", file: "a.yaml", side: "proxy", requirements: ["AL-4"] },
    ]);
  });
});

describe("joinCoverage", () => {
  it("lists the citing cases of each statement by side, once each", () => {
    const report = joinCoverage(STATEMENTS.slice(0, 4), [sdkCase("A/one", "AL-1", "AL-1", "AL-4"), proxyCase("P/one", "AL-4"), sdkCase("A/two", "AL-1")]);
    expect(report.unknownRequirements).toEqual([]);
    expect(report.statements.map((c) => [c.statement.id, c.sdkCases, c.proxyCases])).toEqual([
      ["AL-1", ["A/one", "A/two"], []],
      ["AL-2", [], []],
      ["AL-3", [], []],
      ["AL-4", ["A/one"], ["P/one"]],
    ]);
  });

  it("attaches each exclusion's reason to its statement", () => {
    const report = joinCoverage(STATEMENTS.slice(0, 2), [], [{ id: "AL-2", reason: "not on the wire" }]);
    expect(report.statements.map((c) => [c.statement.id, c.excludedBecause, isExcluded(c)])).toEqual([
      ["AL-1", undefined, false],
      ["AL-2", "not on the wire", true],
    ]);
    expect(report.staleExclusions).toEqual([]);
  });

  it.each<[string, CoverageCase[], { id: string; citedBy: string[] }[]]>([
    ["an id no statement has", [], [{ id: "AL-99", citedBy: [] }]],
    ["a statement a case of its side cites", [sdkCase("A/z", "AL-2"), sdkCase("A/a", "AL-2")], [{ id: "AL-99", citedBy: [] }, { id: "AL-2", citedBy: ["A/a", "A/z"] }]],
  ])("reports a stale exclusion: %s", (_what, cases, stale) => {
    const report = joinCoverage(STATEMENTS, cases, [
      { id: "AL-99", reason: "r" },
      { id: "AL-2", reason: "r" },
      { id: "AL-4", reason: "r" },
    ]);
    expect(report.staleExclusions).toEqual(stale);
  });

  it("does not count a case of the other side against an exclusion", () => {
    const report = joinCoverage(STATEMENTS, [proxyCase("P/x", "AL-1"), sdkCase("A/x", "AL-4")], [
      { id: "AL-1", reason: "r" },
      { id: "AL-4", reason: "r" },
    ]);
    expect(report.staleExclusions).toEqual([]);
    expect(report.statements.filter(isExcluded).map((c) => c.statement.id)).toEqual(["AL-1", "AL-4"]);
  });

  it("reports cases citing ids no statement has", () => {
    const report = joinCoverage(STATEMENTS, [sdkCase("A/one", "AL-1", "AL-99"), proxyCase("P/one", "ZZ-1")]);
    expect(report.unknownRequirements).toEqual([
      { id: "AL-99", caseName: "A/one", file: "cases/a.yaml" },
      { id: "ZZ-1", caseName: "P/one", file: "cases/p.yaml" },
    ]);
  });
});

describe("uncoveredMusts", () => {
  it.each<[string, readonly Role[], CoverageCase[], string[]]>([
    ["nothing cited: every MUST and MUST NOT of the roles", ["uf", "both"], [], ["AL-1", "AL-2", "AL-3"]],
    ["an SDK case covers uf and both", ["uf", "both"], [sdkCase("A/x", "AL-1", "AL-3")], ["AL-2"]],
    ["a proxy case does not cover a uf or both statement", ["uf", "both"], [proxyCase("P/x", "AL-1", "AL-2", "AL-3")], ["AL-1", "AL-2", "AL-3"]],
    ["an SDK case does not cover a proxy statement", ["proxy"], [sdkCase("A/x", "AL-4", "AL-6")], ["AL-4", "AL-6"]],
    ["a proxy case covers a proxy statement", ["proxy"], [proxyCase("P/x", "AL-4")], ["AL-6"]],
    ["SHOULDs never count", ["uf"], [sdkCase("A/x", "AL-1", "AL-2")], []],
  ])("%s", (_what, roles, cases, expected) => {
    expect(uncoveredMusts(STATEMENTS, cases, roles).map((s) => s.id)).toEqual(expected);
  });

  it("leaves out excluded statements", () => {
    const exclusions = [
      { id: "AL-2", reason: "r" },
      { id: "AL-6", reason: "r" },
    ];
    expect(uncoveredMusts(STATEMENTS, [], ["uf", "both"], exclusions).map((s) => s.id)).toEqual(["AL-1", "AL-3"]);
    expect(uncoveredMusts(STATEMENTS, [], ["proxy"], exclusions).map((s) => s.id)).toEqual(["AL-4"]);
  });
});

describe("summarizeCoverage", () => {
  it("counts statements and covered ones per role and strength, leaving out empty rows", () => {
    const report = joinCoverage(STATEMENTS, [sdkCase("A/x", "AL-1", "AL-4", "AL-5"), proxyCase("P/x", "AL-6")]);
    expect(summarizeCoverage(report)).toEqual([
      { role: "proxy", strength: "MUST", total: 1, covered: 0, excluded: 0 },
      { role: "proxy", strength: "MUST NOT", total: 1, covered: 1, excluded: 0 },
      { role: "uf", strength: "MUST", total: 1, covered: 1, excluded: 0 },
      { role: "uf", strength: "MUST NOT", total: 1, covered: 0, excluded: 0 },
      { role: "uf", strength: "SHOULD", total: 1, covered: 1, excluded: 0 },
      { role: "both", strength: "MUST", total: 1, covered: 0, excluded: 0 },
    ]);
  });

  it("counts excluded statements apart from covered ones", () => {
    const report = joinCoverage(STATEMENTS, [sdkCase("A/x", "AL-1")], [
      { id: "AL-2", reason: "r" },
      { id: "AL-3", reason: "r" },
    ]);
    expect(summarizeCoverage(report).filter((r) => r.role !== "proxy")).toEqual([
      { role: "uf", strength: "MUST", total: 1, covered: 1, excluded: 0 },
      { role: "uf", strength: "MUST NOT", total: 1, covered: 0, excluded: 1 },
      { role: "uf", strength: "SHOULD", total: 1, covered: 0, excluded: 0 },
      { role: "both", strength: "MUST", total: 1, covered: 0, excluded: 1 },
    ]);
  });
});

describe("renderCoverageMarkdown", () => {
  const statements = [
    statement("AL-2", "uf", "MUST", "It MUST answer `a | b`."),
    statement("AL-1", "proxy", "MAY", "It MAY wait."),
    statement("BE-1", "both", "MUST NOT", "Neither side MUST NOT lie.", "beta.md"),
  ];
  const report = joinCoverage(statements, [sdkCase("A/z", "AL-2"), sdkCase("A/a", "AL-2"), proxyCase("P/x", "AL-1")]);
  const markdown = renderCoverageMarkdown(report, { specLink: (file) => `../spec/${file}` });
  const lines = markdown.split("\n");

  it("starts with the generated marker and says not to edit", () => {
    expect(lines[0]?.startsWith(GENERATED_MARKER)).toBe(true);
    expect(markdown).toContain("Generated, do not edit");
  });

  it("summarizes per role and strength, with a total", () => {
    expect(lines).toContain("| proxy | MAY | 1 | 1 | 0 | 100% |");
    expect(lines).toContain("| uf | MUST | 1 | 1 | 0 | 100% |");
    expect(lines).toContain("| both | MUST NOT | 1 | 0 | 0 | 0% |");
    expect(lines).toContain("| **all** | | **3** | **2** | **0** | **66%** |");
  });

  it("shows an excluded statement's reason in the column of its side, and counts it", () => {
    const withExclusion = joinCoverage(statements, [sdkCase("A/z", "AL-2"), proxyCase("P/x", "AL-1")], [{ id: "BE-1", reason: "memory is | not observable" }]);
    const rendered = renderCoverageMarkdown(withExclusion).split("\n");
    expect(rendered).toContain("| BE-1 | both | MUST NOT | Neither side MUST NOT lie. | *excluded:* memory is \\| not observable |  |");
    expect(rendered).toContain("| both | MUST NOT | 1 | 0 | 1 | 0% |");
    expect(rendered).toContain("| **all** | | **3** | **2** | **1** | **66%** |");
    expect(rendered).toContain("1 statements, 0 covered, 1 excluded.");
  });

  it("groups by file, linked, with statements in id order and cases sorted", () => {
    const alpha = lines.indexOf("## [alpha.md](../spec/alpha.md) (AL)");
    const beta = lines.indexOf("## [beta.md](../spec/beta.md) (BE)");
    expect(alpha).toBeGreaterThan(0);
    expect(beta).toBeGreaterThan(alpha);
    expect(lines[alpha + 2]).toBe("2 statements, 2 covered.");
    expect(lines.slice(alpha + 6, alpha + 8)).toEqual([
      "| AL-1 | proxy | MAY | It MAY wait. |  | P/x |",
      "| AL-2 | uf | MUST | It MUST answer `a \\| b`. | A/a<br>A/z |  |",
    ]);
    expect(markdown.endsWith("| BE-1 | both | MUST NOT | Neither side MUST NOT lie. |  |  |\n")).toBe(true);
  });

  it("renders the same input the same way", () => {
    expect(renderCoverageMarkdown(report, { specLink: (file) => `../spec/${file}` })).toBe(markdown);
  });
});

describe("shortText", () => {
  it.each([
    ["short text as is", "It MUST.", 20, "It MUST."],
    ["links reduced to their text", "As [ANY-15](payloads.md) says, it MUST.", 100, "As ANY-15 says, it MUST."],
    ["wrapped whitespace collapsed", "It  MUST\n   wait.", 100, "It MUST wait."],
    ["long text cut at a word", "The proxy MUST send every command exactly once", 20, "The proxy MUST send …"],
    ["a cut code span dropped", "It MUST send `a b c d e f` now", 20, "It MUST send …"],
  ])("%s", (_what, text, max, expected) => {
    expect(shortText(text, max)).toBe(expected);
  });
});
