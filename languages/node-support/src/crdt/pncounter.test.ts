import { describe, expect, it } from "@jest/globals";
import { CrdtDeltaError } from "./crdt.js";
import { PNCounter } from "./pncounter.js";

const pnDelta = (change: bigint) => ({ delta: { $case: "pncounter" as const, value: { change } } });

describe("PNCounter", () => {
  it("nets increments and decrements into one delta", () => {
    const counter = new PNCounter().increment(5).decrement(7n).increment(-1);
    expect(counter.value).toBe(-3n);
    expect(counter.getAndResetDelta()).toEqual(pnDelta(-3n));
    expect(counter.getAndResetDelta()).toBeUndefined();
  });

  it("has no delta when the changes cancel out (CRDT-26)", () => {
    expect(new PNCounter().increment(2).decrement(2).hasDelta()).toBe(false);
  });

  it("applies a delta from the proxy without making it a local change", () => {
    const counter = PNCounter.fromState({ value: -2n });
    counter.applyDelta(pnDelta(5n));
    expect(counter.value).toBe(3n);
    expect(counter.hasDelta()).toBe(false);
    expect(counter.toState()).toEqual({ state: { $case: "pncounter", value: { value: 3n } } });
  });

  it("keeps the value in the int64 range (CRDT-39)", () => {
    const counter = PNCounter.fromState({ value: (1n << 63n) - 1n });
    expect(() => counter.increment(1)).toThrow(RangeError);
    expect(() => { counter.applyDelta(pnDelta(1n)); }).toThrow(CrdtDeltaError);
    expect(() => PNCounter.fromState({ value: -(1n << 63n) }).decrement(1)).toThrow(RangeError);
    expect(counter.value).toBe((1n << 63n) - 1n);
  });

  it("keeps the pending change in the int64 range", () => {
    const counter = PNCounter.fromState({ value: -(1n << 63n) });
    expect(() => counter.increment((1n << 64n) - 1n)).toThrow(RangeError);
  });

  it("rejects a delta of another type (CRDT-21)", () => {
    expect(() => { new PNCounter().applyDelta({ delta: { $case: "gcounter", value: { increment: 1n } } }); }).toThrow(expect.objectContaining({ rule: "CRDT-21" }));
  });
});
