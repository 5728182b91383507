import { describe, expect, it } from "@jest/globals";
import { GCounter } from "./gcounter.js";
import { replicatedFromCreate } from "./replicated-from-create.js";

const clock = () => 0n;

describe("GCounter", () => {
  it("records a create as the creating replica's increments and sums the replicas", () => {
    const a = replicatedFromCreate({ state: { $case: "gcounter", value: { value: 5n } } }, "r1", clock);
    const b = a.clone();
    a.applyLocalDelta({ delta: { $case: "gcounter", value: { increment: 2n } } }, "r1", clock);
    b.applyLocalDelta({ delta: { $case: "gcounter", value: { increment: 3n } } }, "r2", clock);
    expect(a.merge(b).toState("r1")).toEqual({ state: { $case: "gcounter", value: { value: 10n } } });
  });

  it("merges by keeping each replica's greater count (CRDT-38)", () => {
    const a = new GCounter(new Map([["r1", 4n], ["r2", 1n]]));
    const b = new GCounter(new Map([["r1", 2n], ["r2", 6n], ["r3", 1n]]));
    expect(a.merge(b).toState("r1")).toEqual({ state: { $case: "gcounter", value: { value: 11n } } });
    expect(a.merge(b).canonical()).toBe(new GCounter(new Map([["r1", 4n], ["r2", 6n], ["r3", 1n]])).canonical());
  });
});

describe("PNCounter", () => {
  it("keeps increments and decrements apart and merges them separately (CRDT-40)", () => {
    const a = replicatedFromCreate({ state: { $case: "pncounter", value: { value: -2n } } }, "r1", clock);
    const b = a.clone();
    a.applyLocalDelta({ delta: { $case: "pncounter", value: { change: 5n } } }, "r1", clock);
    b.applyLocalDelta({ delta: { $case: "pncounter", value: { change: -4n } } }, "r2", clock);
    const merged = a.merge(b);
    expect(merged.toState("r1")).toEqual({ state: { $case: "pncounter", value: { value: -1n } } });
    expect(merged.merge(a).canonical()).toBe(merged.canonical());
  });
});
