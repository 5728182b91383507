import { describe, expect, it } from "@jest/globals";
import { tckModelEventSourced } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import { messageCodec } from "../any/message-codec.js";
import { GSet } from "./gset.js";

const support = new AnySupport();
const str = (value: string) => support.packDynamic(value);
const gsetDelta = (...added: string[]) => ({ delta: { $case: "gset" as const, value: { added: added.map(str) } } });

describe("GSet", () => {
  it("adds elements, ignoring ones already present", () => {
    const set = new GSet<string>().add("a").add("b").add("a");
    expect(set.size).toBe(2);
    expect(set.has("a")).toBe(true);
    expect(set.has("c")).toBe(false);
    expect([...set].sort()).toEqual(["a", "b"]);
    expect(set.getAndResetDelta()).toEqual(gsetDelta("a", "b"));
  });

  it("produces no delta for an element already present", () => {
    const set = GSet.fromState<string>({ items: [str("a")] });
    set.add("a");
    expect(set.hasDelta()).toBe(false);
    expect(set.getAndResetDelta()).toBeUndefined();
  });

  it("identifies elements by their packed form", () => {
    const set = new GSet<unknown>().add(1).add(1n).add("1").add(1);
    expect(set.size).toBe(3);
  });

  it("applies a delta from the proxy without making it a local change", () => {
    const set = GSet.fromState<string>({ items: [str("a")] });
    set.applyDelta(gsetDelta("b", "c"));
    expect([...set.values()].sort()).toEqual(["a", "b", "c"]);
    expect(set.hasDelta()).toBe(false);
  });

  it.each([
    ["an element already present", gsetDelta("a")],
    ["an element twice", gsetDelta("b", "b")],
  ])("rejects a delta adding %s, changing nothing (CRDT-42)", (_name, delta) => {
    const set = GSet.fromState<string>({ items: [str("a")] });
    expect(() => { set.applyDelta(delta); }).toThrow(expect.objectContaining({ rule: "CRDT-42" }));
    expect([...set]).toEqual(["a"]);
  });

  it("rejects a state listing an element twice (CRDT-41)", () => {
    expect(() => GSet.fromState({ items: [str("a"), str("a")] })).toThrow(expect.objectContaining({ rule: "CRDT-41" }));
  });

  it("packs and unpacks with a codec when given one", () => {
    const codec = messageCodec(tckModelEventSourced.Persisted);
    const anySupport = new AnySupport([codec]);
    const set = new GSet({ codec, anySupport }).add({ value: "x" });
    const state = set.toState();
    expect(state.state?.$case === "gset" && state.state.value.items[0]?.typeUrl).toBe("type.googleapis.com/cloudstate.tck.model.Persisted");
    const copy = GSet.fromState(state.state?.$case === "gset" ? state.state.value : { items: [] }, { codec, anySupport });
    expect([...copy]).toEqual([{ value: "x" }]);
    expect(copy.has({ value: "x" })).toBe(true);
  });
});
