import { describe, expect, it } from "@jest/globals";
import type { crdt } from "@cloudstate/protocol";
import { deltaTypeProblem } from "./delta-type-problem.js";

const gcounter: crdt.CrdtState = { state: { $case: "gcounter", value: { value: 2n } } };
const gcounterDelta: crdt.CrdtDelta = { delta: { $case: "gcounter", value: { increment: 3n } } };
const pncounterDelta: crdt.CrdtDelta = { delta: { $case: "pncounter", value: { change: 3n } } };

describe("deltaTypeProblem", () => {
  it("names ERR-19 and CRDT-24 for a delta of another type than the value", () => {
    expect(deltaTypeProblem(gcounter, pncounterDelta)).toBe("ERR-19: a pncounter delta cannot update a gcounter (CRDT-24)");
  });

  it.each([
    ["a delta of the value's type", gcounter, gcounterDelta],
    ["no value (found elsewhere)", undefined, pncounterDelta],
    ["a delta with no type (found elsewhere)", gcounter, { delta: undefined }],
  ] as const)("accepts %s", (_what, value, delta: crdt.CrdtDelta) => {
    expect(deltaTypeProblem(value, delta)).toBeUndefined();
  });
});
