import { describe, expect, it } from "@jest/globals";
import { crdt } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import { crdtFromState } from "./crdt-from-state.js";

const support = new AnySupport();
const str = (value: string) => support.packDynamic(value);

describe("crdtFromState", () => {
  const states: [string, crdt.CrdtState][] = [
    ["GCounter", { state: { $case: "gcounter", value: { value: 3n } } }],
    ["PNCounter", { state: { $case: "pncounter", value: { value: -3n } } }],
    ["GSet", { state: { $case: "gset", value: { items: [str("a")] } } }],
    ["ORSet", { state: { $case: "orset", value: { items: [str("a"), str("b")] } } }],
    ["LWWRegister", { state: { $case: "lwwregister", value: { value: str("v"), clock: crdt.CrdtClock.CUSTOM, customClockValue: 4n } } }],
    ["Flag", { state: { $case: "flag", value: { value: true } } }],
    ["ORMap", { state: { $case: "ormap", value: { entries: [{ key: str("k"), value: { state: { $case: "vote", value: { selfVote: true, votesFor: 1, totalVoters: 2 } } } }] } } }],
    ["Vote", { state: { $case: "vote", value: { selfVote: false, votesFor: 1, totalVoters: 2 } } }],
  ];
  it.each(states)("builds a %s that gives back the same state, with no delta", (type, state) => {
    const value = crdtFromState(state, support);
    expect(value.type).toBe(type);
    expect(value.toState()).toEqual(state);
    expect(value.hasDelta()).toBe(false);
  });

  it("rejects a state with no type (CRDT-21)", () => {
    expect(() => crdtFromState({ state: undefined }, support)).toThrow(expect.objectContaining({ rule: "CRDT-21" }));
  });

  it("lets unknown element types surface as the AnySupport error", () => {
    expect(() => crdtFromState({ state: { $case: "gset", value: { items: [{ typeUrl: "type.googleapis.com/no.Such", value: new Uint8Array() }] } } }, support)).toThrow("no.Such");
  });
});
