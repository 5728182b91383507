import { describe, expect, it } from "@jest/globals";
import { Flag } from "./flag.js";

const flagDelta = (value: boolean) => ({ delta: { $case: "flag" as const, value: { value } } });

describe("Flag", () => {
  it("is false until enabled, and enabling twice makes one delta", () => {
    const flag = new Flag();
    expect(flag.value).toBe(false);
    flag.enable().enable();
    expect(flag.value).toBe(true);
    expect(flag.getAndResetDelta()).toEqual(flagDelta(true));
    flag.enable();
    expect(flag.hasDelta()).toBe(false);
  });

  it("applies deltas from the proxy as OR, never switching back (CRDT-55)", () => {
    const flag = new Flag();
    flag.applyDelta(flagDelta(false));
    expect(flag.value).toBe(false);
    flag.applyDelta(flagDelta(true));
    flag.applyDelta(flagDelta(false));
    expect(flag.value).toBe(true);
    expect(flag.hasDelta()).toBe(false);
  });

  it("round-trips its state", () => {
    expect(Flag.fromState({ value: true }).toState()).toEqual({ state: { $case: "flag", value: { value: true } } });
  });

  it("rejects a delta of another type (CRDT-21)", () => {
    expect(() => { new Flag().applyDelta({ delta: { $case: "gcounter", value: { increment: 1n } } }); }).toThrow(expect.objectContaining({ rule: "CRDT-21" }));
  });
});
