import { describe, expect, it } from "@jest/globals";
import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { ORMap } from "./ormap.js";
import type { ReplicatedCrdt } from "./replicated-crdt.js";
import { replicatedFromCreate } from "./replicated-from-create.js";

const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const clock = () => 0n;
const gcounter = (value: bigint): crdt.CrdtState => ({ state: { $case: "gcounter", value: { value } } });
const orsetState = (...items: string[]): crdt.CrdtState => ({ state: { $case: "orset", value: { items: items.map(el) } } });
const ormap = (value: Partial<crdt.ORMapDelta>): crdt.CrdtDelta => ({ delta: { $case: "ormap", value: { cleared: false, removed: [], updated: [], added: [], ...value } } });
const update = (key: string, delta: crdt.CrdtDelta) => ormap({ updated: [{ key: el(key), delta }] });
const increment = (by: bigint): crdt.CrdtDelta => ({ delta: { $case: "gcounter", value: { increment: by } } });
const addTo = (...added: string[]): crdt.CrdtDelta => ({ delta: { $case: "orset", value: { cleared: false, removed: [], added: added.map(el) } } });

/** The map's view as key → value state, keys as strings. */
function entries(map: ReplicatedCrdt, replica = "r1"): Record<string, unknown> {
  const state = map.toState(replica).state;
  if (state?.$case !== "ormap") return {};
  const sorted = (s: crdt.CrdtState | undefined) =>
    s?.state?.$case === "orset" ? { orset: s.state.value.items.map((a) => Buffer.from(a.value).toString()).sort() } : s?.state;
  return Object.fromEntries(state.value.entries.map((e) => [Buffer.from(e.key?.value ?? []).toString(), sorted(e.value)]));
}

const created = (...entriesIn: [string, crdt.CrdtState][]) =>
  replicatedFromCreate({ state: { $case: "ormap", value: { entries: entriesIn.map(([k, value]) => ({ key: el(k), value })) } } }, "r1", clock);

describe("ORMap (CRDT-64)", () => {
  it("applies clear, removals, updates and additions in that order", () => {
    const map = created(["a", gcounter(1n)], ["b", gcounter(2n)]);
    map.applyLocalDelta(ormap({ removed: [el("b")], updated: [{ key: el("a"), delta: increment(4n) }], added: [{ key: el("b"), value: orsetState("x") }] }), "r1", clock);
    expect(entries(map)).toEqual({ a: { $case: "gcounter", value: { value: 5n } }, b: { orset: ["x"] } });
  });

  it("merges concurrent updates of a key by the value's type", () => {
    const a = created(["k", gcounter(1n)]);
    const b = a.clone();
    a.applyLocalDelta(update("k", increment(2n)), "r1", clock);
    b.applyLocalDelta(update("k", increment(3n)), "r2", clock);
    expect(entries(a.merge(b))).toEqual({ k: { $case: "gcounter", value: { value: 6n } } });
  });

  it("lets an update concurrent with a removal survive, with its whole value", () => {
    const a = created(["k", gcounter(1n)], ["other", gcounter(0n)]);
    const b = a.clone();
    a.applyLocalDelta(ormap({ removed: [el("k")] }), "r1", clock);
    b.applyLocalDelta(update("k", increment(2n)), "r2", clock);
    expect(entries(a.merge(b))).toEqual({ k: { $case: "gcounter", value: { value: 3n } }, other: { $case: "gcounter", value: { value: 0n } } });
  });

  it("keeps a removal of a key nobody updated concurrently", () => {
    const a = created(["k", gcounter(1n)], ["j", gcounter(1n)]);
    const b = a.clone();
    a.applyLocalDelta(ormap({ removed: [el("k")] }), "r1", clock);
    b.applyLocalDelta(update("j", increment(2n)), "r2", clock);
    expect(Object.keys(entries(a.merge(b)))).toEqual(["j"]);
  });

  it("resolves concurrent values of different types to the smaller field number (CRDT-65)", () => {
    const a = created();
    const b = a.clone();
    a.applyLocalDelta(ormap({ added: [{ key: el("k"), value: orsetState("x") }] }), "r1", clock);
    b.applyLocalDelta(ormap({ added: [{ key: el("k"), value: gcounter(7n) }] }), "r2", clock);
    expect(entries(a.merge(b))).toEqual({ k: { $case: "gcounter", value: { value: 7n } } });
    expect(entries(b.merge(a))).toEqual({ k: { $case: "gcounter", value: { value: 7n } } });
  });

  it("never reuses a nested dot when a key is removed and created again", () => {
    // r0 adds "b" to k's set while r1 replaces k with a fresh set {"c"}: both values
    // survive and merge. r1's removal observed "a", so "a" stays removed; had r1's
    // fresh set reused the dot of "a" for "c", one of the two would be lost.
    const a = created(["k", orsetState("a")]);
    const b = a.clone();
    b.applyLocalDelta(update("k", addTo("b")), "r0", clock);
    a.applyLocalDelta(ormap({ removed: [el("k")], added: [{ key: el("k"), value: orsetState("c") }] }), "r1", clock);
    const ab = a.merge(b);
    const ba = b.merge(a);
    expect(ab.canonical()).toBe(ba.canonical());
    expect(entries(ab)).toEqual({ k: { orset: ["b", "c"] } });
  });

  it("shares one dot counter between the map and its nested values", () => {
    const map = created(["k", orsetState("a", "b")]);
    map.applyLocalDelta(update("k", addTo("c")), "r1", clock);
    // Dots 1 and 2 went to a and b, 3 to the key; the update used 4 for c and 5 for the key.
    expect(map.canonical()).toContain("r1:5");
    expect(map).toBeInstanceOf(ORMap);
    expect(map instanceof ORMap && map.keys()).toEqual([anyKey(el("k"))]);
  });
});
