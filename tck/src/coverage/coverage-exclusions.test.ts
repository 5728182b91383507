import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExclusionsFileError, parseExclusions, readExclusions } from "./coverage-exclusions.js";

describe("parseExclusions", () => {
  it("reads the ids and reasons in order, folding wrapped reasons into one line", () => {
    const text = ["exclusions:", "  - id: AL-1", "    reason: memory is not", "      observable", "  - { id: AL-2, reason: checked by unit tests }", ""].join("\n");
    expect(parseExclusions(text, "x.yaml")).toEqual([
      { id: "AL-1", reason: "memory is not observable" },
      { id: "AL-2", reason: "checked by unit tests" },
    ]);
  });

  it.each([
    ["an empty file", ""],
    ["an empty list", "exclusions: []"],
    ["a key without a list", "exclusions:"],
  ])("accepts %s as no exclusions", (_what, text) => {
    expect(parseExclusions(text, "x.yaml")).toEqual([]);
  });

  it.each([
    ["invalid YAML", "exclusions: [", "not valid YAML"],
    ["a list at the top", "- { id: AL-1, reason: r }", "expected a mapping with one key, exclusions"],
    ["another top-level key", "exclusions: []\nextra: 1", "expected a mapping with one key, exclusions"],
    ["exclusions not a list", "exclusions: { id: AL-1 }", "exclusions must be a list"],
    ["an entry that is not a mapping", "exclusions: [AL-1]", "exclusion 1: expected { id, reason }"],
    ["an unknown field", "exclusions: [{ id: AL-1, reason: r, note: n }]", "exclusion 1: unknown field note"],
    ["a missing id", "exclusions: [{ reason: r }]", "exclusion 1: id must be a non-empty string"],
    ["a missing reason", "exclusions: [{ id: AL-1 }]", "exclusion 1 (AL-1): reason must be a non-empty string"],
    ["a blank reason", "exclusions: [{ id: AL-1, reason: '  ' }]", "exclusion 1 (AL-1): reason must be a non-empty string"],
    ["an id twice", "exclusions: [{ id: AL-1, reason: r }, { id: AL-1, reason: s }]", "exclusion 2: AL-1 is excluded twice"],
  ])("rejects %s", (_what, text, message) => {
    expect(() => parseExclusions(text, "x.yaml")).toThrow(ExclusionsFileError);
    expect(() => parseExclusions(text, "x.yaml")).toThrow(`x.yaml: ${message}`);
  });
});

describe("readExclusions", () => {
  it("reads a file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "exclusions-")), "exclusions.yaml");
    writeFileSync(file, "exclusions:\n  - { id: AL-1, reason: r }\n");
    expect(readExclusions(file)).toEqual([{ id: "AL-1", reason: "r" }]);
  });

  it("names a file it cannot read", () => {
    const file = join(tmpdir(), "no-such-dir-for-exclusions", "exclusions.yaml");
    expect(() => readExclusions(file)).toThrow(`${file}: cannot read`);
  });
});
