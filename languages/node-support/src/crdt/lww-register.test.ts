import { describe, expect, it } from "@jest/globals";
import { crdt } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import { jsonCodec } from "../any/json-codec.js";
import { LWWRegister } from "./lww-register.js";

const support = new AnySupport();

describe("LWWRegister", () => {
  it("holds its initial value with no delta", () => {
    const register = new LWWRegister("a");
    expect(register.value).toBe("a");
    expect(register.hasDelta()).toBe(false);
    expect(register.toState()).toEqual({ state: { $case: "lwwregister", value: { value: support.packDynamic("a"), clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } } });
  });

  it("makes a write, with its clock, the delta; the last write of a round wins", () => {
    const register = new LWWRegister("a");
    register.setValue("b").setValue("c", crdt.CrdtClock.CUSTOM, 7n);
    expect(register.value).toBe("c");
    expect(register.getAndResetDelta()).toEqual({ delta: { $case: "lwwregister", value: { value: support.packDynamic("c"), clock: crdt.CrdtClock.CUSTOM, customClockValue: 7n } } });
    expect(register.hasDelta()).toBe(false);
  });

  it("counts writing the same value again as a write", () => {
    expect(new LWWRegister(1).setValue(1).hasDelta()).toBe(true);
  });

  it("applies a delta from the proxy without making it a local change, keeping its bytes", () => {
    const register = new LWWRegister<unknown>("a");
    const value = { typeUrl: "json.cloudstate.io/Thing", value: jsonCodec("Thing").encode({ n: 1 }) };
    register.applyDelta({ delta: { $case: "lwwregister", value: { value, clock: crdt.CrdtClock.REVERSE, customClockValue: 0n } } });
    expect(register.value).toEqual({ n: 1 });
    expect(register.hasDelta()).toBe(false);
    expect(register.toState().state).toEqual({ $case: "lwwregister", value: { value, clock: crdt.CrdtClock.REVERSE, customClockValue: 0n } });
  });

  it("rejects a delta or state without a value (CRDT-49)", () => {
    const register = new LWWRegister("a");
    expect(() => { register.applyDelta({ delta: { $case: "lwwregister", value: { value: undefined, clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } } }); }).toThrow(
      expect.objectContaining({ rule: "CRDT-49" }),
    );
    expect(register.value).toBe("a");
    expect(() => LWWRegister.fromState({ value: undefined, clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n })).toThrow(expect.objectContaining({ rule: "CRDT-49" }));
  });

  it("takes the clock of its initial value from the options", () => {
    const register = new LWWRegister(3n, { clock: crdt.CrdtClock.CUSTOM_AUTO_INCREMENT, customClockValue: 9n });
    expect(register.toState().state).toEqual({ $case: "lwwregister", value: { value: support.packDynamic(3n), clock: crdt.CrdtClock.CUSTOM_AUTO_INCREMENT, customClockValue: 9n } });
  });
});
