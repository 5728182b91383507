import { describe, expect, it } from "@jest/globals";
import { type Any, crdt } from "@cloudstate/protocol";
import { clockValue, LWWRegister } from "./lww-register.js";
import type { ReplicatedCrdt } from "./replicated-crdt.js";

const { DEFAULT, REVERSE, CUSTOM, CUSTOM_AUTO_INCREMENT } = crdt.CrdtClock;
const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const write = (value: string, clock: crdt.CrdtClock = DEFAULT, customClockValue = 0n): crdt.CrdtDelta => ({ delta: { $case: "lwwregister", value: { value: el(value), clock, customClockValue } } });
const valueOf = (register: ReplicatedCrdt) => (register instanceof LWWRegister ? Buffer.from(register.write.value.value).toString() : `a ${register.type}`);
const created = (value: string, replica: string, now: bigint, clock: crdt.CrdtClock = DEFAULT, custom = 0n) =>
  LWWRegister.created({ value: el(value), clock, customClockValue: custom }, replica, () => now);

describe("LWWRegister clock values (CRDT-50)", () => {
  // clock, custom value, now, current clock value → clock value of the write
  const cases: [string, crdt.CrdtClock, bigint, bigint, bigint, bigint][] = [
    ["DEFAULT takes now when it is ahead", DEFAULT, 0n, 100n, 50n, 100n],
    ["DEFAULT takes current + 1 when now is behind", DEFAULT, 0n, 100n, 100n, 101n],
    ["DEFAULT ignores the custom value (CRDT-51)", DEFAULT, 999n, 100n, 0n, 100n],
    ["REVERSE takes -now when it is below current", REVERSE, 0n, 100n, 0n, -100n],
    ["REVERSE takes current - 1 otherwise", REVERSE, 0n, 100n, -200n, -201n],
    ["CUSTOM takes the custom value", CUSTOM, 7n, 100n, 50n, 7n],
    ["CUSTOM_AUTO_INCREMENT takes a greater custom value", CUSTOM_AUTO_INCREMENT, 60n, 100n, 50n, 60n],
    ["CUSTOM_AUTO_INCREMENT takes current + 1 otherwise", CUSTOM_AUTO_INCREMENT, 50n, 100n, 50n, 51n],
  ];
  it.each(cases)("%s", (_name, clock, custom, now, current, expected) => {
    expect(clockValue(clock, custom, now, current)).toBe(expected);
  });

  it("computes a create's clock value against 0", () => {
    expect(created("a", "r1", 100n).write.timestamp).toBe(100n);
    expect(created("a", "r1", 100n, REVERSE).write.timestamp).toBe(-100n);
    expect(created("a", "r1", 100n, CUSTOM_AUTO_INCREMENT, -5n).write.timestamp).toBe(1n);
  });

  it("reports the write's clock, with the custom value only for custom clocks (CRDT-51)", () => {
    const register = created("a", "r1", 100n);
    register.applyLocalDelta(write("b", DEFAULT, 42n), "r1", () => 200n);
    expect(register.toState()).toEqual({ state: { $case: "lwwregister", value: { value: el("b"), clock: DEFAULT, customClockValue: 0n } } });
    register.applyLocalDelta(write("c", CUSTOM, 500n), "r1", () => 300n);
    expect(register.toState()).toEqual({ state: { $case: "lwwregister", value: { value: el("c"), clock: CUSTOM, customClockValue: 500n } } });
  });
});

describe("LWWRegister writes from the user function (CRDT-52)", () => {
  it.each([
    ["DEFAULT always wins, even with the wall clock behind", write("b"), 10n, "b"],
    ["CUSTOM_AUTO_INCREMENT always wins", write("b", CUSTOM_AUTO_INCREMENT, 1n), 10n, "b"],
    ["REVERSE never replaces an existing value", write("b", REVERSE), 500n, "a"],
    ["CUSTOM with a greater clock value wins", write("b", CUSTOM, 101n), 0n, "b"],
    ["CUSTOM with a smaller clock value loses", write("b", CUSTOM, 99n), 0n, "a"],
    ["CUSTOM with an equal clock value at the same replica does not replace", write("b", CUSTOM, 100n), 0n, "a"],
  ])("%s", (_name, delta, now, expected) => {
    const register = created("a", "r1", 100n);
    register.applyLocalDelta(delta, "r1", () => now);
    expect(valueOf(register)).toBe(expected);
  });

  it("lets an equal clock value from a smaller replica id win", () => {
    const register = created("a", "r2", 100n);
    register.applyLocalDelta(write("b", CUSTOM, 100n), "r1", () => 0n);
    expect(valueOf(register)).toBe("b");
    register.applyLocalDelta(write("c", CUSTOM, 100n), "r3", () => 0n);
    expect(valueOf(register)).toBe("b");
  });
});

describe("LWWRegister merge (CRDT-53)", () => {
  it("keeps the greater clock value, whichever side it is on", () => {
    const older = created("old", "r1", 100n);
    const newer = created("new", "r2", 200n);
    expect(valueOf(older.merge(newer))).toBe("new");
    expect(valueOf(newer.merge(older))).toBe("new");
  });

  it("breaks ties by the smaller replica id", () => {
    const a = created("from r1", "r1", 100n);
    const b = created("from r2", "r2", 100n);
    expect(valueOf(a.merge(b))).toBe("from r1");
    expect(valueOf(b.merge(a))).toBe("from r1");
  });

  it("lets the earliest REVERSE write win across replicas", () => {
    const first = created("first", "r2", 100n, REVERSE);
    const later = created("later", "r1", 200n, REVERSE);
    expect(valueOf(first.merge(later))).toBe("first");
  });
});
