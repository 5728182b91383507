import { describe, expect, it } from "@jest/globals";
import { type Any, crdt } from "@cloudstate/protocol";
import { applyDeltaToView } from "./view-apply.js";
import { diffViews, NoDeltaError } from "./view-delta.js";

const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const gcounter = (value: bigint): crdt.CrdtState => ({ state: { $case: "gcounter", value: { value } } });
const gset = (...items: string[]): crdt.CrdtState => ({ state: { $case: "gset", value: { items: items.map(el) } } });
const orset = (...items: string[]): crdt.CrdtState => ({ state: { $case: "orset", value: { items: items.map(el) } } });
const flag = (value: boolean): crdt.CrdtState => ({ state: { $case: "flag", value: { value } } });
const vote = (selfVote: boolean, votesFor: number, totalVoters: number): crdt.CrdtState => ({ state: { $case: "vote", value: { selfVote, votesFor, totalVoters } } });
const lww = (value: string, clock = crdt.CrdtClock.DEFAULT, customClockValue = 0n): crdt.CrdtState => ({ state: { $case: "lwwregister", value: { value: el(value), clock, customClockValue } } });
const ormap = (...entries: [string, crdt.CrdtState][]): crdt.CrdtState => ({ state: { $case: "ormap", value: { entries: entries.map(([k, value]) => ({ key: el(k), value })) } } });

describe("diffViews (CRDT-15, CRDT-18)", () => {
  const deltas: [string, crdt.CrdtState, crdt.CrdtState, crdt.CrdtDelta | undefined][] = [
    ["equal counters", gcounter(3n), gcounter(3n), undefined],
    ["a grown GCounter", gcounter(3n), gcounter(5n), { delta: { $case: "gcounter", value: { increment: 2n } } }],
    ["a PNCounter", { state: { $case: "pncounter", value: { value: 3n } } }, { state: { $case: "pncounter", value: { value: -1n } } }, { delta: { $case: "pncounter", value: { change: -4n } } }],
    ["a grown GSet, in any order", gset("a", "b"), gset("c", "b", "a"), { delta: { $case: "gset", value: { added: [el("c")] } } }],
    ["an ORSet", orset("a", "b"), orset("b", "c"), { delta: { $case: "orset", value: { cleared: false, removed: [el("a")], added: [el("c")] } } }],
    ["an ORSet that lost everything", orset("a", "b"), orset("c"), { delta: { $case: "orset", value: { cleared: true, removed: [], added: [el("c")] } } }],
    // The clock fields describe a write, they are not the register's value (crdt.md §5.5, CRDT-54).
    ["a register whose value is the same under another clock", lww("a"), lww("a", crdt.CrdtClock.CUSTOM, 4n), undefined],
    ["a register with a new value", lww("a"), lww("b", crdt.CrdtClock.CUSTOM, 4n), { delta: { $case: "lwwregister", value: { value: el("b"), clock: crdt.CrdtClock.CUSTOM, customClockValue: 4n } } }],
    ["a Flag switched on", flag(false), flag(true), { delta: { $case: "flag", value: { value: true } } }],
    ["new Vote counts", vote(true, 1, 1), vote(true, 2, 3), { delta: { $case: "vote", value: { selfVote: true, votesFor: 2, totalVoters: 3 } } }],
    [
      "an ORMap",
      ormap(["gone", flag(true)], ["grown", gcounter(1n)], ["same", flag(false)], ["retyped", flag(true)], ["shrunk", gcounter(5n)]),
      ormap(["grown", gcounter(4n)], ["same", flag(false)], ["retyped", gcounter(1n)], ["shrunk", gcounter(1n)], ["new", orset("x")]),
      {
        delta: {
          $case: "ormap",
          value: {
            cleared: false,
            removed: [el("gone"), el("retyped"), el("shrunk")],
            updated: [{ key: el("grown"), delta: { delta: { $case: "gcounter", value: { increment: 3n } } } }],
            added: [
              { key: el("retyped"), value: gcounter(1n) },
              { key: el("shrunk"), value: gcounter(1n) },
              { key: el("new"), value: orset("x") },
            ],
          },
        },
      },
    ],
  ];
  it.each(deltas)("describes %s", (_name, before, after, expected) => {
    expect(diffViews(before, after)).toEqual(expected);
  });

  it.each([
    ["another type", gcounter(1n), flag(true)],
    ["a GCounter that went down", gcounter(3n), gcounter(2n)],
    ["a GSet that lost an element", gset("a"), gset("b")],
    ["a Flag switched off", flag(true), flag(false)],
    ["this replica's own vote", vote(false, 0, 1), vote(true, 1, 1)],
  ])("cannot describe %s", (_name, before, after) => {
    expect(() => diffViews(before, after)).toThrow(NoDeltaError);
  });
});

describe("applyDeltaToView", () => {
  it("applies a user function's vote, moving the count with it (CRDT-66)", () => {
    const delta: crdt.CrdtDelta = { delta: { $case: "vote", value: { selfVote: true, votesFor: 9, totalVoters: 9 } } };
    expect(applyDeltaToView(vote(false, 1, 3), delta, "uf")).toEqual(vote(true, 2, 3));
    expect(applyDeltaToView(vote(true, 1, 3), delta, "uf")).toEqual(vote(true, 1, 3));
  });

  it("applies the proxy's vote counts, keeping the vote (CRDT-67)", () => {
    const delta: crdt.CrdtDelta = { delta: { $case: "vote", value: { selfVote: false, votesFor: 2, totalVoters: 4 } } };
    expect(applyDeltaToView(vote(true, 1, 1), delta, "proxy")).toEqual(vote(true, 2, 4));
  });

  it("follows a register write whatever its clock (the user function's view, CRDT-52)", () => {
    const delta: crdt.CrdtDelta = { delta: { $case: "lwwregister", value: { value: el("b"), clock: crdt.CrdtClock.REVERSE, customClockValue: 0n } } };
    expect(applyDeltaToView(lww("a"), delta, "uf")).toEqual(lww("b", crdt.CrdtClock.REVERSE));
  });

  it("applies nested ORMap deltas in order, leaving the input untouched", () => {
    const before = ormap(["a", gcounter(1n)], ["b", orset("x")]);
    const copy = structuredClone(before);
    const delta: crdt.CrdtDelta = {
      delta: {
        $case: "ormap",
        value: {
          cleared: false,
          removed: [el("a")],
          updated: [{ key: el("b"), delta: { delta: { $case: "orset", value: { cleared: false, removed: [], added: [el("y")] } } } }],
          added: [{ key: el("a"), value: flag(true) }],
        },
      },
    };
    expect(applyDeltaToView(before, delta, "uf")).toEqual(ormap(["b", orset("x", "y")], ["a", flag(true)]));
    expect(before).toEqual(copy);
  });

  it.each([
    ["a delta of another type", gcounter(1n), { delta: { $case: "flag", value: { value: true } } }, "CRDT-24"],
    ["a GSet element already present", gset("a"), { delta: { $case: "gset", value: { added: [el("a")] } } }, "CRDT-42"],
    ["an ORSet removal of an absent element", orset("a"), { delta: { $case: "orset", value: { cleared: false, removed: [el("b")], added: [] } } }, "CRDT-45"],
    ["an ORMap update of an absent key", ormap(), { delta: { $case: "ormap", value: { cleared: false, removed: [], updated: [{ key: el("k"), delta: undefined }], added: [] } } }, "CRDT-60"],
  ] as [string, crdt.CrdtState, crdt.CrdtDelta, string][])("rejects %s", (_name, view, delta, rule) => {
    expect(() => applyDeltaToView(view, delta, "uf")).toThrow(expect.objectContaining({ rule }));
  });
});
