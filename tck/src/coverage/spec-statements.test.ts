import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatSpecProblem, GENERATED_MARKER, parseSpec, prefixTable, readSpecDir, type SpecSource } from "./spec-statements.js";

const INDEX: SpecSource = {
  file: "README.md",
  text: ["# Spec", "", "| file | prefix | scope |", "|---|---|---|", "| [alpha.md](alpha.md) | AL | alpha |", "| [beta.md](beta.md) | BE | beta |", ""].join("\n"),
};

function alpha(...lines: string[]): SpecSource {
  return { file: "alpha.md", text: lines.join("\n") };
}

function problemsOf(...sources: SpecSource[]): string[] {
  return parseSpec([INDEX, ...sources]).problems.map(formatSpecProblem);
}

describe("parseSpec: statements", () => {
  const source = alpha(
    "# Alpha",
    "",
    "- **Glossary term**: bold items that are not ids are explanation.",
    "",
    "```",
    "- **AL-99** `[uf]` Examples in code blocks MUST be ignored.",
    "```",
    "",
    "- **AL-1** `[proxy]` The proxy MUST do one thing.",
    "- **AL-2** `[uf]` The user function MUST NOT do",
    "  another thing over",
    "  several lines.",
    "",
    "- **AL-3** `[both]` Each side MAY send `MUST` in a code span, which is not a keyword.",
    "- **AL-4** `[uf]` It SHOULD NOT wait.",
  );

  it("reads id, file, role, strength, text and line", () => {
    const { statements, problems } = parseSpec([INDEX, source]);
    expect(problems).toEqual([]);
    expect(statements).toEqual([
      { id: "AL-1", prefix: "AL", number: 1, file: "alpha.md", role: "proxy", strength: "MUST", text: "The proxy MUST do one thing.", line: 9 },
      {
        id: "AL-2",
        prefix: "AL",
        number: 2,
        file: "alpha.md",
        role: "uf",
        strength: "MUST NOT",
        text: "The user function MUST NOT do another thing over several lines.",
        line: 10,
      },
      {
        id: "AL-3",
        prefix: "AL",
        number: 3,
        file: "alpha.md",
        role: "both",
        strength: "MAY",
        text: "Each side MAY send `MUST` in a code span, which is not a keyword.",
        line: 14,
      },
      { id: "AL-4", prefix: "AL", number: 4, file: "alpha.md", role: "uf", strength: "SHOULD NOT", text: "It SHOULD NOT wait.", line: 15 },
    ]);
  });

  it("accepts statements numbered out of document order", () => {
    const { statements, problems } = parseSpec([INDEX, alpha("- **AL-2** `[uf]` Later it MAY.", "- **AL-1** `[uf]` First it MUST.")]);
    expect(problems).toEqual([]);
    expect(statements.map((s) => s.id)).toEqual(["AL-2", "AL-1"]);
  });
});

describe("parseSpec: problems", () => {
  it.each([
    ["an id without hyphen", "- **AL1** `[uf]` It MUST.", 'alpha.md:1: malformed statement id "AL1"'],
    ["a lower-case prefix", "- **al-1** `[uf]` It MUST.", 'alpha.md:1: malformed statement id "al-1"'],
    ["a leading zero", "- **AL-01** `[uf]` It MUST.", 'alpha.md:1: malformed statement id "AL-01"'],
    ["a letter suffix", "- **AL-1a** `[uf]` It MUST.", 'alpha.md:1: malformed statement id "AL-1a"'],
    ["a missing number", "- **AL-** `[uf]` It MUST.", 'alpha.md:1: malformed statement id "AL-"'],
    ["an id that is not bold", "- AL-1 `[uf]` It MUST.", "alpha.md:1: AL-1: the id must be bold"],
    ["a nested statement", "- Explanation:\n\n  - **AL-1** `[uf]` It MUST.", "alpha.md:3: AL-1: a statement must be a top-level list item"],
    ["no role tag", "- **AL-1** It MUST.", "alpha.md:1: AL-1: no role tag"],
    ["a role tag without backticks", "- **AL-1** [uf] It MUST.", "alpha.md:1: AL-1: the role tag must be in backticks"],
    ["an unknown role", "- **AL-1** `[client]` It MUST.", "alpha.md:1: AL-1: unknown role tag [client]"],
    ["no keyword", "- **AL-1** `[uf]` It must, in lower case.", "alpha.md:1: AL-1: no requirement keyword"],
    ["two keywords", "- **AL-1** `[uf]` It MUST and it MAY.", "alpha.md:1: AL-1: 2 requirement keywords (MUST, MAY)"],
    ["the same keyword twice", "- **AL-1** `[uf]` It MUST and\n  MUST again.", "alpha.md:1: AL-1: 2 requirement keywords (MUST, MUST)"],
    ["a keyword the spec does not use", "- **AL-1** `[uf]` It SHALL.", "alpha.md:1: AL-1: uses SHALL"],
    ["no text", "- **AL-1** `[uf]`", "alpha.md:1: AL-1: the statement has no text"],
    ["a wrong prefix", "- **BE-1** `[uf]` It MUST.", "alpha.md:1: BE-1: wrong prefix BE; README.md gives alpha.md the prefix AL"],
  ])("reports %s", (_what, text, expected) => {
    const problems = problemsOf(alpha(text));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(expected)).toBe(true);
  });

  it("reports a duplicate id in the same file and its first place", () => {
    expect(problemsOf(alpha("- **AL-1** `[uf]` It MUST.", "- **AL-2** `[uf]` It MUST.", "- **AL-1** `[uf]` It MAY."))).toEqual([
      "alpha.md:3: duplicate id AL-1: already used at alpha.md:1",
    ]);
  });

  it("reports a gap at the statement after it", () => {
    expect(problemsOf(alpha("- **AL-1** `[uf]` It MUST.", "- **AL-5** `[uf]` It MUST.", "- **AL-3** `[uf]` It MUST."))).toEqual([
      "alpha.md:2: gap in numbering before AL-5: AL-4 missing (ids are never removed; a withdrawn statement keeps its id, spec/README.md §1.3)",
      "alpha.md:3: gap in numbering before AL-3: AL-2 missing (ids are never removed; a withdrawn statement keeps its id, spec/README.md §1.3)",
    ]);
  });

  it("reports a gap at the start as a range", () => {
    expect(problemsOf(alpha("- **AL-3** `[uf]` It MUST."))).toEqual([
      "alpha.md:1: gap in numbering before AL-3: AL-1 to AL-2 missing (ids are never removed; a withdrawn statement keeps its id, spec/README.md §1.3)",
    ]);
  });

  it("counts malformed statements with a good id when looking for gaps and duplicates", () => {
    expect(problemsOf(alpha("- **AL-1** `[uf]` No keyword.", "- **AL-2** `[uf]` It MUST."))).toEqual(["alpha.md:1: AL-1: no requirement keyword; a statement has exactly one of MUST, MUST NOT, SHOULD, SHOULD NOT, MAY"]);
  });

  it("reports a file with statements that the index does not list", () => {
    expect(problemsOf({ file: "gamma.md", text: "- **GA-1** `[uf]` It MUST." })).toEqual([
      "gamma.md:1: gamma.md has statements but README.md's table of files does not list it with its prefix",
    ]);
  });

  it("without an index, holds each file to one prefix of its own", () => {
    const problems = parseSpec([
      { file: "a.md", text: "- **AA-1** `[uf]` It MUST.\n- **BB-1** `[uf]` It MUST." },
      { file: "b.md", text: "- **AA-2** `[uf]` It MUST." },
    ]).problems.map(formatSpecProblem);
    expect(problems).toEqual([
      "a.md:2: BB-1: wrong prefix BB; this file's first statement uses AA",
      "b.md:1: prefix AA is already the prefix of a.md; each file has its own",
    ]);
  });

  it("reports duplicates across files", () => {
    const beta: SpecSource = { file: "beta.md", text: "- **AL-1** `[uf]` It MUST." };
    expect(problemsOf(alpha("- **AL-1** `[uf]` It MUST."), beta)).toContain("beta.md:1: duplicate id AL-1: already used at alpha.md:1");
  });
});

describe("prefixTable", () => {
  it("reads file and prefix from the index's table rows", () => {
    expect([...prefixTable(INDEX.text)]).toEqual([
      ["alpha.md", "AL"],
      ["beta.md", "BE"],
    ]);
  });
});

describe("readSpecDir", () => {
  it("reads every .md but generated ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "spec-statements-"));
    writeFileSync(join(dir, "README.md"), INDEX.text);
    writeFileSync(join(dir, "alpha.md"), "- **AL-1** `[uf]` It MUST.\n");
    writeFileSync(join(dir, "coverage.md"), `${GENERATED_MARKER} test -->\n- **ZZ-7** \`[uf]\` Not a statement: output MUST be skipped.\n`);
    writeFileSync(join(dir, "notes.txt"), "- **AL-2** `[uf]` Not markdown MUST be skipped.\n");
    const { statements, problems } = readSpecDir(dir);
    expect(problems).toEqual([]);
    expect(statements.map((s) => s.id)).toEqual(["AL-1"]);
  });
});

describe("the repository's spec", () => {
  // A real guard: a malformed statement in spec/*.md fails here, with its place.
  const specDir = fileURLToPath(new URL("../../../spec", import.meta.url));
  const { statements, problems } = readSpecDir(specDir);

  it("parses without problems", () => {
    expect(problems.map(formatSpecProblem)).toEqual([]);
  });

  it("has statements in every file its index lists", () => {
    const files = new Set(statements.map((s) => s.file));
    expect(statements.length).toBeGreaterThan(0);
    expect([...prefixTable(readFileSync(join(specDir, "README.md"), "utf8")).keys()].filter((f) => !files.has(f))).toEqual([]);
  });
});
