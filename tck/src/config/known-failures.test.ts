import { describe, expect, it } from "@jest/globals";
import type { CaseResult, CaseStatus } from "../runner/results.js";
import { applyKnownFailures, matchesKnownFailure, parseKnownFailures } from "./known-failures.js";

function result(name: string, status: CaseStatus): CaseResult {
  return {
    name,
    area: name.split("/")[0] ?? "",
    description: "",
    status,
    requirements: [],
    durationMs: 1,
    ...(status === "failed" ? { failure: { step: 2, message: "boom" } } : {}),
    ...(status === "skipped" ? { reason: "not claimed: x" } : {}),
  };
}

describe("parseKnownFailures", () => {
  it("reads patterns and reasons, ignoring blank lines and comments", () => {
    const text = [
      "# Known failures of the example SDK",
      "",
      "EventSourced/Snapshot/*   # snapshots are not implemented yet",
      "   # an indented comment",
      "Crdt/ORMap/remove-key#keys are never removed",
      "  Action/Streamed/*/cancel  # cancellation is ignored (issue #12)  ",
    ].join("\n");
    expect(parseKnownFailures(text, "kf.txt")).toEqual([
      { pattern: "EventSourced/Snapshot/*", reason: "snapshots are not implemented yet", source: "kf.txt:3" },
      { pattern: "Crdt/ORMap/remove-key", reason: "keys are never removed", source: "kf.txt:5" },
      { pattern: "Action/Streamed/*/cancel", reason: "cancellation is ignored (issue #12)", source: "kf.txt:6" },
    ]);
  });

  it("accepts an empty file", () => {
    expect(parseKnownFailures("# nothing yet\n", "kf.txt")).toEqual([]);
  });

  it("rejects every entry without a reason, with its line", () => {
    expect(() => parseKnownFailures("A/b\nA/c  # fine\nA/d  #   \n", "kf.txt")).toThrow(
      'kf.txt:1: "A/b" has no reason; write it as "A/b  # <why it fails>"\nkf.txt:3: "A/d" has no reason; write it as "A/d  # <why it fails>"',
    );
  });
});

describe("matchesKnownFailure", () => {
  const table: [string, string, boolean][] = [
    ["A/b/c", "A/b/c", true],
    ["A/b/c", "A/b", false],
    ["A/b/c", "A/*", true],
    ["A/b/c", "*/c", true],
    ["A/b/c", "A/*/c", true],
    ["A/b/c", "*", true],
    ["A/b/c", "B/*", false],
    ["A.b", "A.b", true],
    ["Axb", "A.b", false],
    ["A/(x)+", "A/(x)+", true],
  ];
  it.each(table)("%s against %s: %s", (name, pattern, matches) => {
    expect(matchesKnownFailure(name, pattern)).toBe(matches);
  });
});

describe("applyKnownFailures", () => {
  const entries = parseKnownFailures(
    ["Es/failing/*  # not implemented", "Es/passing  # was broken once", "Es/skipped  # needs CRDTs", "Gone/*  # case was removed"].join("\n"),
    "kf.txt",
  );

  it("turns listed failures into expected failures and listed passes into unexpected passes", () => {
    const { results } = applyKnownFailures(
      [result("Es/failing/one", "failed"), result("Es/passing", "passed"), result("Es/skipped", "skipped"), result("Es/other", "failed"), result("Es/fine", "passed")],
      entries,
    );
    expect(results.map((r) => [r.name, r.status, r.reason])).toEqual([
      ["Es/failing/one", "expected-failure", "not implemented"],
      ["Es/passing", "unexpected-pass", "was broken once"],
      ["Es/skipped", "skipped", "not claimed: x"],
      ["Es/other", "failed", undefined],
      ["Es/fine", "passed", undefined],
    ]);
    expect(results[0]?.failure).toEqual({ step: 2, message: "boom" });
  });

  it("reports entries that matched no case at all (a skipped case counts as a match)", () => {
    const { unmatched } = applyKnownFailures([result("Es/failing/one", "failed"), result("Es/skipped", "skipped")], entries);
    expect(unmatched.map((e) => e.pattern)).toEqual(["Es/passing", "Gone/*"]);
  });

  it("is idempotent", () => {
    const once = applyKnownFailures([result("Es/failing/one", "failed"), result("Es/passing", "passed")], entries).results;
    expect(applyKnownFailures(once, entries).results).toEqual(once);
  });
});
