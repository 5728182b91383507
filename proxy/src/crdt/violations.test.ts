import { describe, expect, it } from "@jest/globals";
import { type Any, crdt } from "@cloudstate/protocol";
import type { ReplicatedCrdt } from "./replicated-crdt.js";
import { replicatedFromCreate } from "./replicated-from-create.js";

const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const clock = () => 1000n;
const create = (state: crdt.CrdtState["state"]) => replicatedFromCreate({ state }, "r1", clock);
const gcounter = (value: bigint): crdt.CrdtState => ({ state: { $case: "gcounter", value: { value } } });
const increment = (by: bigint): crdt.CrdtDelta => ({ delta: { $case: "gcounter", value: { increment: by } } });
const orset = (value: Partial<crdt.ORSetDelta>): crdt.CrdtDelta => ({ delta: { $case: "orset", value: { cleared: false, removed: [], added: [], ...value } } });
const ormap = (value: Partial<crdt.ORMapDelta>): crdt.CrdtDelta => ({ delta: { $case: "ormap", value: { cleared: false, removed: [], updated: [], added: [], ...value } } });

// A map "a" → GCounter 1, "f" → Flag false.
const aMap = () => create({ $case: "ormap", value: { entries: [{ key: el("a"), value: gcounter(1n) }, { key: el("f"), value: { state: { $case: "flag", value: { value: false } } } }] } });

describe("CrdtViolation rules of local deltas", () => {
  const cases: [string, () => ReplicatedCrdt, crdt.CrdtDelta, string][] = [
    ["a delta of another type", () => create(gcounter(1n).state), { delta: { $case: "flag", value: { value: true } } }, "CRDT-24"],
    ["a delta with no type", () => create(gcounter(1n).state), { delta: undefined }, "CRDT-29"],
    ["a GCounter above 2^64 - 1", () => create(gcounter((1n << 64n) - 1n).state), increment(1n), "CRDT-37"],
    ["a PNCounter beyond int64", () => create({ $case: "pncounter", value: { value: -(1n << 63n) } }), { delta: { $case: "pncounter", value: { change: -1n } } }, "CRDT-39"],
    ["a GSet add of a present element", () => create({ $case: "gset", value: { items: [el("a")] } }), { delta: { $case: "gset", value: { added: [el("a")] } } }, "CRDT-42"],
    ["a GSet add listing an element twice", () => create({ $case: "gset", value: { items: [] } }), { delta: { $case: "gset", value: { added: [el("b"), el("b")] } } }, "CRDT-42"],
    ["an ORSet remove of an absent element", () => create({ $case: "orset", value: { items: [el("a")] } }), orset({ removed: [el("x")] }), "CRDT-45"],
    ["an ORSet remove after a clear", () => create({ $case: "orset", value: { items: [el("a")] } }), orset({ cleared: true, removed: [el("a")] }), "CRDT-45"],
    ["an ORSet add of a present element", () => create({ $case: "orset", value: { items: [el("a")] } }), orset({ added: [el("a")] }), "CRDT-46"],
    ["an ORSet remove listing an element twice", () => create({ $case: "orset", value: { items: [el("a")] } }), orset({ removed: [el("a"), el("a")] }), "CRDT-47"],
    ["an ORSet add listing an element twice", () => create({ $case: "orset", value: { items: [] } }), orset({ added: [el("b"), el("b")] }), "CRDT-47"],
    [
      "an LWWRegister write without a value",
      () => create({ $case: "lwwregister", value: { value: el("a"), clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } }),
      { delta: { $case: "lwwregister", value: { value: undefined, clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } } },
      "CRDT-49",
    ],
    [
      "an LWWRegister write with an unknown clock",
      () => create({ $case: "lwwregister", value: { value: el("a"), clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } }),
      { delta: { $case: "lwwregister", value: { value: el("b"), clock: crdt.CrdtClock.UNRECOGNIZED, customClockValue: 0n } } },
      "CRDT-50",
    ],
    ["an ORMap entry without a key", aMap, ormap({ removed: [], added: [{ key: undefined, value: gcounter(1n) }] }), "CRDT-58"],
    ["an ORMap entry added without a value", aMap, ormap({ added: [{ key: el("n"), value: undefined }] }), "CRDT-58"],
    ["an ORMap remove of an absent key", aMap, ormap({ removed: [el("x")] }), "CRDT-59"],
    ["an ORMap remove after a clear", aMap, ormap({ cleared: true, removed: [el("a")] }), "CRDT-59"],
    ["an ORMap update of an absent key", aMap, ormap({ updated: [{ key: el("x"), delta: increment(1n) }] }), "CRDT-60"],
    ["an ORMap update of a key removed first", aMap, ormap({ removed: [el("a")], updated: [{ key: el("a"), delta: increment(1n) }] }), "CRDT-60"],
    ["an ORMap update of a key added in the same delta", aMap, ormap({ updated: [{ key: el("n"), delta: increment(1n) }], added: [{ key: el("n"), value: gcounter(0n) }] }), "CRDT-60"],
    ["an ORMap add of a present key", aMap, ormap({ added: [{ key: el("a"), value: gcounter(0n) }] }), "CRDT-61"],
    ["an ORMap delta listing a key twice", aMap, ormap({ updated: [{ key: el("a"), delta: increment(1n) }, { key: el("a"), delta: increment(1n) }] }), "CRDT-62"],
    ["an ORMap update with a delta of another type", aMap, ormap({ updated: [{ key: el("f"), delta: increment(1n) }] }), "CRDT-63"],
    ["an ORMap update with an invalid nested delta", aMap, ormap({ updated: [{ key: el("a"), delta: increment(1n << 64n) }] }), "CRDT-37"],
  ];
  it.each(cases)("rejects %s, applying nothing", (_name, make, delta, rule) => {
    const value = make();
    const before = value.canonical();
    expect(() => {
      value.applyLocalDelta(delta, "r1", clock);
    }).toThrow(expect.objectContaining({ name: "CrdtViolation", rule }));
    expect(value.canonical()).toBe(before);
  });

  it("ignores the counts of a user function's Vote delta (CRDT-66)", () => {
    const vote = create({ $case: "vote", value: { selfVote: false, votesFor: 5, totalVoters: 9 } });
    vote.applyLocalDelta({ delta: { $case: "vote", value: { selfVote: true, votesFor: 7, totalVoters: 7 } } }, "r1", clock);
    expect(vote.toState("r1")).toEqual({ state: { $case: "vote", value: { selfVote: true, votesFor: 1, totalVoters: 1 } } });
  });
});

describe("CrdtViolation rules of create states", () => {
  const cases: [string, crdt.CrdtState["state"], string][] = [
    ["no type", undefined, "CRDT-29"],
    ["a GSet listing an element twice", { $case: "gset", value: { items: [el("a"), el("a")] } }, "CRDT-41"],
    ["an ORSet listing an element twice", { $case: "orset", value: { items: [el("a"), el("a")] } }, "CRDT-44"],
    ["an LWWRegister without a value", { $case: "lwwregister", value: { value: undefined, clock: crdt.CrdtClock.DEFAULT, customClockValue: 0n } }, "CRDT-49"],
    ["an ORMap listing a key twice", { $case: "ormap", value: { entries: [{ key: el("a"), value: gcounter(1n) }, { key: el("a"), value: gcounter(2n) }] } }, "CRDT-57"],
    ["an ORMap entry without a value", { $case: "ormap", value: { entries: [{ key: el("a"), value: undefined }] } }, "CRDT-58"],
    ["an ORMap with an invalid nested state", { $case: "ormap", value: { entries: [{ key: el("a"), value: { state: { $case: "gset", value: { items: [el("x"), el("x")] } } } }] } }, "CRDT-41"],
  ];
  it.each(cases)("rejects %s", (_name, state, rule) => {
    expect(() => create(state)).toThrow(expect.objectContaining({ name: "CrdtViolation", rule }));
  });
});
