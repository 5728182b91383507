import { describe, expect, it } from "@jest/globals";
import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { Flag } from "./flag.js";
import { replicatedFromCreate } from "./replicated-from-create.js";

const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
const clock = () => 0n;
const items = (state: crdt.CrdtState) => (state.state?.$case === "orset" || state.state?.$case === "gset" ? state.state.value.items.map((a) => Buffer.from(a.value).toString()).sort() : []);
const orset = (value: Partial<crdt.ORSetDelta>): crdt.CrdtDelta => ({ delta: { $case: "orset", value: { cleared: false, removed: [], added: [], ...value } } });

describe("GSet", () => {
  it("merges by union (CRDT-43) and keeps elements as received", () => {
    const a = replicatedFromCreate({ state: { $case: "gset", value: { items: [el("a")] } } }, "r1", clock);
    const b = a.clone();
    a.applyLocalDelta({ delta: { $case: "gset", value: { added: [el("b")] } } }, "r1", clock);
    b.applyLocalDelta({ delta: { $case: "gset", value: { added: [el("c")] } } }, "r2", clock);
    const merged = a.merge(b).toState("r1");
    expect(items(merged)).toEqual(["a", "b", "c"]);
    expect(merged.state?.$case === "gset" && merged.state.value.items.every((i) => i.typeUrl === "p.cloudstate.io/string")).toBe(true);
  });

  it("identifies elements by type URL and bytes (ANY-15)", () => {
    expect(anyKey(el("a"))).not.toBe(anyKey({ typeUrl: "json.cloudstate.io/string", value: Buffer.from("a") }));
    expect(anyKey(el("a"))).toBe(anyKey({ typeUrl: "p.cloudstate.io/string", value: new Uint8Array(Buffer.from("a")) }));
  });
});

describe("ORSet (CRDT-48)", () => {
  const base = () => replicatedFromCreate({ state: { $case: "orset", value: { items: [el("a"), el("b")] } } }, "r1", clock);

  it("lets an addition concurrent with a removal win", () => {
    const a = base();
    const b = a.clone();
    a.applyLocalDelta(orset({ removed: [el("a")] }), "r1", clock);
    b.applyLocalDelta(orset({ removed: [el("a")], added: [el("a")] }), "r2", clock);
    expect(items(a.merge(b).toState("r1"))).toEqual(["a", "b"]);
    expect(items(b.merge(a).toState("r1"))).toEqual(["a", "b"]);
  });

  it("keeps a removal of an observed element", () => {
    const a = base();
    const b = a.clone();
    a.applyLocalDelta(orset({ removed: [el("a")] }), "r1", clock);
    b.applyLocalDelta(orset({ added: [el("c")] }), "r2", clock);
    expect(items(a.merge(b).toState("r1"))).toEqual(["b", "c"]);
  });

  it("clears only what it has seen", () => {
    const a = base();
    const b = a.clone();
    a.applyLocalDelta(orset({ cleared: true, added: [el("z")] }), "r1", clock);
    b.applyLocalDelta(orset({ added: [el("c")] }), "r2", clock);
    expect(items(a.merge(b).toState("r2"))).toEqual(["c", "z"]);
  });

  it("lets the same element added at two replicas survive a removal of either addition", () => {
    const a = replicatedFromCreate({ state: { $case: "orset", value: { items: [] } } }, "r1", clock);
    const b = a.clone();
    a.applyLocalDelta(orset({ added: [el("x")] }), "r1", clock);
    b.applyLocalDelta(orset({ added: [el("x")] }), "r2", clock);
    const merged = a.merge(b);
    const c = a.clone();
    c.applyLocalDelta(orset({ removed: [el("x")] }), "r1", clock);
    expect(items(c.merge(merged).toState("r1"))).toEqual(["x"]);
    merged.applyLocalDelta(orset({ removed: [el("x")] }), "r3", clock);
    expect(items(merged.merge(a).merge(b).toState("r1"))).toEqual([]);
  });
});

describe("Flag", () => {
  it("merges by OR (CRDT-56) and ignores a false delta", () => {
    const flag = new Flag();
    flag.applyLocalDelta({ delta: { $case: "flag", value: { value: false } } });
    expect(flag.value).toBe(false);
    const on = new Flag(true);
    expect(flag.merge(on).toState("r1")).toEqual(on.toState());
    expect(on.merge(flag).toState("r1")).toEqual(on.toState());
  });
});
