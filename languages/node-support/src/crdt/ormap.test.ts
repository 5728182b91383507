import { describe, expect, it } from "@jest/globals";
import type { crdt } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import { Flag } from "./flag.js";
import { GCounter } from "./gcounter.js";
import { ORMap } from "./ormap.js";
import { ORSet } from "./orset.js";

const support = new AnySupport();
const str = (value: string) => support.packDynamic(value);
const gcounter = (value: bigint): crdt.CrdtState => ({ state: { $case: "gcounter", value: { value } } });
const flag = (value: boolean): crdt.CrdtState => ({ state: { $case: "flag", value: { value } } });
const increment = (by: bigint): crdt.CrdtDelta => ({ delta: { $case: "gcounter", value: { increment: by } } });
const ormapDelta = (value: Partial<crdt.ORMapDelta>): crdt.CrdtDelta => ({ delta: { $case: "ormap", value: { cleared: false, removed: [], updated: [], added: [], ...value } } });

function takeDelta(map: ORMap): crdt.ORMapDelta | undefined {
  const delta = map.getAndResetDelta()?.delta;
  return delta?.$case === "ormap" ? delta.value : undefined;
}

/** A map "a" → GCounter 1, "b" → Flag false, as received from the proxy. */
const initial = () => ORMap.fromState<string>({ entries: [{ key: str("a"), value: gcounter(1n) }, { key: str("b"), value: flag(false) }] });

describe("ORMap", () => {
  it("gets, sets, deletes and iterates", () => {
    const map = new ORMap<string>();
    map.set("x", new Flag());
    expect(map.has("x")).toBe(true);
    expect(map.get("x")?.type).toBe("Flag");
    expect(map.size).toBe(1);
    expect([...map.keys()]).toEqual(["x"]);
    expect([...map].map(([k, v]) => [k, v.type])).toEqual([["x", "Flag"]]);
    expect(map.delete("x")).toBe(true);
    expect(map.delete("x")).toBe(false);
    expect(map.get("x")).toBeUndefined();
  });

  it("creates a value once with getOrCreate and checks its type", () => {
    const map = new ORMap<string>();
    map.getOrCreate("c", () => new GCounter()).increment(2);
    map.getOrCreate("c", () => new GCounter()).increment(3);
    expect(map.get("c")?.toState()).toEqual(gcounter(5n));
    expect(() => map.getOrCreate("c", () => new Flag())).toThrow(TypeError);
  });

  it("sends nested changes as updates and new entries with their full value", () => {
    const map = initial();
    map.getOrCreate("a", () => new GCounter()).increment(2);
    map.getOrCreate("n", () => new GCounter()).increment(7);
    const delta = takeDelta(map);
    expect(delta).toEqual({ cleared: false, removed: [], updated: [{ key: str("a"), delta: increment(2n) }], added: [{ key: str("n"), value: gcounter(7n) }] });
    expect(map.hasDelta()).toBe(false);
    expect(map.get("n")?.hasDelta()).toBe(false);
  });

  it("replaces an existing key's value by removing and adding it", () => {
    const map = initial();
    map.set("a", new Flag().enable());
    expect(takeDelta(map)).toEqual({ cleared: false, removed: [str("a")], updated: [], added: [{ key: str("a"), value: flag(true) }] });
  });

  it("forgets a key added then deleted in the same round", () => {
    const map = initial();
    map.set("n", new Flag());
    map.delete("n");
    expect(map.hasDelta()).toBe(false);
  });

  it("sends a clear and the entries added after it", () => {
    const map = initial();
    map.delete("a");
    map.clear();
    map.set("b", new GCounter());
    expect(takeDelta(map)).toEqual({ cleared: true, removed: [], updated: [], added: [{ key: str("b"), value: gcounter(0n) }] });
  });

  it("applies clear, removals, updates and additions from the proxy, in that order", () => {
    const map = initial();
    map.applyDelta(ormapDelta({ removed: [str("b")], updated: [{ key: str("a"), delta: increment(4n) }], added: [{ key: str("b"), value: gcounter(9n) }] }));
    expect(map.toState()).toEqual({ state: { $case: "ormap", value: { entries: [{ key: str("a"), value: gcounter(5n) }, { key: str("b"), value: gcounter(9n) }] } } });
    expect(map.hasDelta()).toBe(false);
    map.applyDelta(ormapDelta({ cleared: true, added: [{ key: str("z"), value: flag(true) }] }));
    expect([...map.keys()]).toEqual(["z"]);
  });

  it("builds nested values of every kind from the proxy's state", () => {
    const map = ORMap.fromState<string>({ entries: [{ key: str("s"), value: { state: { $case: "orset", value: { items: [str("e")] } } } }] });
    const set = map.get("s");
    expect(set instanceof ORSet && [...set]).toEqual(["e"]);
  });

  const bad: [string, Partial<crdt.ORMapDelta>, string][] = [
    ["removes an absent key", { removed: [str("x")] }, "CRDT-59"],
    ["removes after a clear", { cleared: true, removed: [str("a")] }, "CRDT-59"],
    ["updates an absent key", { updated: [{ key: str("x"), delta: increment(1n) }] }, "CRDT-60"],
    ["updates a removed key", { removed: [str("a")], updated: [{ key: str("a"), delta: increment(1n) }] }, "CRDT-60"],
    ["adds a present key", { added: [{ key: str("a"), value: gcounter(1n) }] }, "CRDT-61"],
    ["lists a key twice", { removed: [str("a"), str("a")] }, "CRDT-62"],
    ["updates with a delta of another type", { updated: [{ key: str("b"), delta: increment(1n) }] }, "CRDT-63"],
    ["adds an entry without a value", { added: [{ key: str("n"), value: undefined }] }, "CRDT-58"],
  ];
  it.each(bad)("rejects a delta that %s, changing nothing", (_name, value, rule) => {
    const map = initial();
    const before = map.toState();
    expect(() => { map.applyDelta(ormapDelta(value)); }).toThrow(expect.objectContaining({ rule }));
    expect(map.toState()).toEqual(before);
  });

  it.each([
    ["a key twice (CRDT-57)", [{ key: str("a"), value: flag(true) }, { key: str("a"), value: flag(true) }], "CRDT-57"],
    ["an entry without a value (CRDT-58)", [{ key: str("a"), value: undefined }], "CRDT-58"],
  ])("rejects a state with %s", (_name, entries, rule) => {
    expect(() => ORMap.fromState({ entries })).toThrow(expect.objectContaining({ rule }));
  });
});
