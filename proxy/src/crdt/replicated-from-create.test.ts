import { describe, expect, it } from "@jest/globals";
import { type Any, crdt } from "@cloudstate/protocol";
import { replicatedFromCreate } from "./replicated-from-create.js";

const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const clock = () => 1000n;

describe("replicatedFromCreate", () => {
  const states: [string, crdt.CrdtState][] = [
    ["GCounter", { state: { $case: "gcounter", value: { value: 3n } } }],
    ["PNCounter", { state: { $case: "pncounter", value: { value: -3n } } }],
    ["GSet", { state: { $case: "gset", value: { items: [el("a")] } } }],
    ["ORSet", { state: { $case: "orset", value: { items: [el("a"), el("b")] } } }],
    ["LWWRegister", { state: { $case: "lwwregister", value: { value: el("v"), clock: crdt.CrdtClock.CUSTOM, customClockValue: 4n } } }],
    ["Flag", { state: { $case: "flag", value: { value: true } } }],
    ["ORMap", { state: { $case: "ormap", value: { entries: [{ key: el("k"), value: { state: { $case: "flag", value: { value: true } } } }] } } }],
    ["Vote", { state: { $case: "vote", value: { selfVote: true, votesFor: 1, totalVoters: 1 } } }],
  ];
  it.each(states)("creates a %s whose view is the created state", (type, state) => {
    const value = replicatedFromCreate(state, "r1", clock);
    expect(value.type).toBe(type);
    expect(value.toState("r1")).toEqual(state);
    expect(value.clone().canonical()).toBe(value.canonical());
  });

  it("merges copies of different types to the smaller CrdtState field number (CRDT-65)", () => {
    const counter = replicatedFromCreate({ state: { $case: "gcounter", value: { value: 3n } } }, "r1", clock);
    const flag = replicatedFromCreate({ state: { $case: "flag", value: { value: true } } }, "r2", clock);
    expect(counter.merge(flag).type).toBe("GCounter");
    expect(flag.merge(counter).type).toBe("GCounter");
  });
});
