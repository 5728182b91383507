import { describe, expect, it } from "@jest/globals";
import { type crdt } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import { ORSet } from "./orset.js";

const support = new AnySupport();
const str = (value: string) => support.packDynamic(value);
const names = (anys: readonly { value: Uint8Array }[]) => anys.map((a) => String(support.unpack({ typeUrl: "p.cloudstate.io/string", value: a.value }).value)).sort();

type Op = ["add" | "delete", string] | ["clear"];

function run(initial: string[], ops: Op[]): { set: ORSet<string>; delta: crdt.ORSetDelta | undefined } {
  const set = ORSet.fromState<string>({ items: initial.map(str) });
  for (const op of ops) {
    if (op[0] === "add") set.add(op[1]);
    else if (op[0] === "delete") set.delete(op[1]);
    else set.clear();
  }
  const delta = set.getAndResetDelta()?.delta;
  return { set, delta: delta?.$case === "orset" ? delta.value : undefined };
}

describe("ORSet", () => {
  it("adds, deletes and clears", () => {
    const set = new ORSet<string>().add("a").add("b");
    expect(set.delete("a")).toBe(true);
    expect(set.delete("a")).toBe(false);
    expect([...set]).toEqual(["b"]);
    set.clear();
    expect(set.size).toBe(0);
  });

  // Initial value, operations, then the expected delta: [cleared, removed, added], or undefined for none.
  const cases: [string, string[], Op[], [boolean, string[], string[]] | undefined][] = [
    ["adds new elements", ["a"], [["add", "b"], ["add", "c"]], [false, [], ["b", "c"]]],
    ["ignores adding a present element", ["a"], [["add", "a"]], undefined],
    ["removes a present element", ["a", "b"], [["delete", "a"]], [false, ["a"], []]],
    ["ignores deleting an absent element", ["a"], [["delete", "x"]], undefined],
    ["forgets an element added then deleted", ["a"], [["add", "b"], ["delete", "b"]], undefined],
    ["removes and re-adds a present element", ["a"], [["delete", "a"], ["add", "a"]], [false, ["a"], ["a"]]],
    ["clears then adds", ["a", "b"], [["delete", "a"], ["add", "c"], ["clear"], ["add", "b"], ["add", "d"]], [true, [], ["b", "d"]]],
    ["ignores clearing an empty set", [], [["clear"], ["add", "a"]], [false, [], ["a"]]],
    ["clears, adds and deletes again", ["a"], [["clear"], ["add", "a"], ["delete", "a"]], [true, [], []]],
  ];
  it.each(cases)("%s", (_name, initial, ops, expected) => {
    const { set, delta } = run(initial, ops);
    expect(delta === undefined ? undefined : [delta.cleared, names(delta.removed), names(delta.added)]).toEqual(expected);
    expect(set.hasDelta()).toBe(false);
  });

  it("applies clear, then removals, then additions from the proxy", () => {
    const set = ORSet.fromState<string>({ items: [str("a"), str("b")] });
    set.applyDelta({ delta: { $case: "orset", value: { cleared: false, removed: [str("a")], added: [str("a"), str("c")] } } });
    expect([...set].sort()).toEqual(["a", "b", "c"]);
    set.applyDelta({ delta: { $case: "orset", value: { cleared: true, removed: [], added: [str("z")] } } });
    expect([...set]).toEqual(["z"]);
    expect(set.hasDelta()).toBe(false);
  });

  const bad: [string, crdt.ORSetDelta, string][] = [
    ["removing an absent element", { cleared: false, removed: [str("x")], added: [] }, "CRDT-45"],
    ["removing after a clear", { cleared: true, removed: [str("a")], added: [] }, "CRDT-45"],
    ["adding a present element", { cleared: false, removed: [], added: [str("a")] }, "CRDT-46"],
    ["removing twice", { cleared: false, removed: [str("a"), str("a")], added: [] }, "CRDT-47"],
    ["adding twice", { cleared: false, removed: [], added: [str("b"), str("b")] }, "CRDT-47"],
  ];
  it.each(bad)("rejects a delta %s, changing nothing", (_name, value, rule) => {
    const set = ORSet.fromState<string>({ items: [str("a")] });
    expect(() => { set.applyDelta({ delta: { $case: "orset", value } }); }).toThrow(expect.objectContaining({ rule }));
    expect([...set]).toEqual(["a"]);
  });

  it("rejects a state listing an element twice (CRDT-44)", () => {
    expect(() => ORSet.fromState({ items: [str("a"), str("a")] })).toThrow(expect.objectContaining({ rule: "CRDT-44" }));
  });
});
