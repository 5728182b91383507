import { describe, expect, it } from "@jest/globals";
import { CrdtDeltaError } from "./crdt.js";
import { GCounter } from "./gcounter.js";

const gcounterDelta = (increment: bigint) => ({ delta: { $case: "gcounter" as const, value: { increment } } });

describe("GCounter", () => {
  it("starts at zero with no delta", () => {
    const counter = new GCounter();
    expect(counter.value).toBe(0n);
    expect(counter.hasDelta()).toBe(false);
    expect(counter.getAndResetDelta()).toBeUndefined();
  });

  it("sums increments into one delta and resets it", () => {
    const counter = new GCounter().increment(2).increment(3n);
    expect(counter.value).toBe(5n);
    expect(counter.getAndResetDelta()).toEqual(gcounterDelta(5n));
    expect(counter.hasDelta()).toBe(false);
    expect(counter.value).toBe(5n);
  });

  it("treats a zero increment as no change (CRDT-26)", () => {
    expect(new GCounter().increment(0).hasDelta()).toBe(false);
  });

  it.each([
    ["negative number", -1],
    ["negative bigint", -1n],
    ["fraction", 1.5],
    ["unsafe integer", 2 ** 60],
  ])("rejects a %s increment", (_name, by) => {
    const counter = new GCounter();
    expect(() => counter.increment(by)).toThrow(RangeError);
    expect(counter.hasDelta()).toBe(false);
  });

  it("rejects a value above 2^64 - 1 (CRDT-37)", () => {
    const counter = GCounter.fromState({ value: (1n << 64n) - 1n });
    expect(() => counter.increment(1)).toThrow(RangeError);
    expect(() => { counter.applyDelta(gcounterDelta(1n)); }).toThrow(CrdtDeltaError);
  });

  it("applies a delta from the proxy without making it a local change", () => {
    const counter = GCounter.fromState({ value: 4n });
    counter.applyDelta(gcounterDelta(3n));
    expect(counter.value).toBe(7n);
    expect(counter.hasDelta()).toBe(false);
    expect(counter.toState()).toEqual({ state: { $case: "gcounter", value: { value: 7n } } });
  });

  it.each([
    ["another type (CRDT-21)", { delta: { $case: "flag" as const, value: { value: true } } }, "CRDT-21"],
    ["no type (CRDT-21)", { delta: undefined }, "CRDT-21"],
  ])("rejects a delta of %s", (_name, delta, rule) => {
    const counter = new GCounter();
    expect(() => { counter.applyDelta(delta); }).toThrow(expect.objectContaining({ rule }));
  });
});
