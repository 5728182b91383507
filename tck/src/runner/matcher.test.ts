import { describe, expect, it } from "@jest/globals";
import { compareJson, lineDiff, looseDifferences, renderDiff } from "./matcher.js";

describe("compareJson", () => {
  const cases: [string, unknown, unknown, { ignore?: string[]; unordered?: string[] }, string[]][] = [
    ["equal", { a: 1, b: ["x"] }, { a: 1, b: ["x"] }, {}, []],
    ["differing scalar", { a: 1 }, { a: 2 }, {}, ["a"]],
    ["absent field", { a: 1 }, {}, {}, ["a"]],
    ["unexpected field", {}, { a: 1 }, {}, ["a"]],
    ["ignored field", { a: { b: 1 } }, { a: { b: 2 } }, { ignore: ["a.b"] }, []],
    ["ignored in every element", { l: [{ d: "x" }, { d: "y" }] }, { l: [{ d: "1" }, { d: "2" }] }, { ignore: ["l[].d"] }, []],
    ["ordered list", { l: [1, 2] }, { l: [2, 1] }, {}, ["l[0]", "l[1]"]],
    ["unordered list", { l: [1, 2] }, { l: [2, 1] }, { unordered: ["l"] }, []],
    ["unordered list with a missing element", { l: [1, 2] }, { l: [2, 3] }, { unordered: ["l"] }, ["l (any order)"]],
    ["longer actual list", { l: [1] }, { l: [1, 2] }, {}, ["l[1]"]],
    ["ignored elements of a list of the same length", { l: ["", ""] }, { l: ["a", "b"] }, { ignore: ["l[]"] }, []],
    ["ignored elements of a longer list", { l: ["", ""] }, { l: ["a", "b", "c"] }, { ignore: ["l[]"] }, ["l.length"]],
    ["selected elements left out on both sides", { l: [{ k: "a", v: 1 }] }, { l: [{ k: "t", v: 9 }, { k: "a", v: 1 }] }, { ignore: ["l[k=t]"] }, []],
    ["only the selected elements left out", { l: [{ k: "a", v: 1 }] }, { l: [{ k: "t", v: 9 }, { k: "a", v: 2 }] }, { ignore: ["l[k=t]"] }, ["l[0].v"]],
    ["a field of the selected elements ignored", { m: { l: [{ k: "t" }, { k: "a", v: 1 }] } }, { m: { l: [{ k: "a", v: 1 }, { k: "t", v: 9 }] } }, { ignore: ["m.l[k=t].v"], unordered: ["m.l"] }, []],
    ["the same field of other elements compared", { l: [{ k: "t" }, { k: "a", v: 1 }] }, { l: [{ k: "t", v: 9 }, { k: "a", v: 2 }] }, { ignore: ["l[k=t].v"] }, ["l[1].v"]],
  ];
  it.each(cases)("%s", (_name, expected, actual, options, paths) => {
    expect(compareJson(expected as never, actual as never, options).map((d) => d.path)).toEqual(paths);
  });
});

describe("renderDiff", () => {
  it("lists differing paths and a line diff", () => {
    const expected = { a: 1, b: "same" };
    const actual = { a: 2, b: "same" };
    const text = renderDiff(expected, actual, compareJson(expected, actual));
    expect(text).toContain("at a: expected 1, got 2");
    expect(text).toContain('-   "a": 1,');
    expect(text).toContain('+   "a": 2,');
    expect(text).toContain('    "b": "same"');
  });

  it("diffs lines by longest common subsequence", () => {
    expect(lineDiff(["a", "b", "c"], ["a", "c", "d"])).toEqual(["  a", "- b", "  c", "+ d"]);
  });
});

describe("looseDifferences", () => {
  const actual = { failure: { description: "unknown command Foo on a.B", commandId: "3" }, items: [{ v: "x" }, { v: "" }] };
  it("checks text containment", () => {
    expect(looseDifferences(actual, { "failure.description": "Foo" }, [])).toEqual([]);
    expect(looseDifferences(actual, { "failure.description": "Bar" }, []).map((d) => d.path)).toEqual(["failure.description"]);
  });
  it("checks non-default presence, through lists", () => {
    expect(looseDifferences(actual, {}, ["failure.commandId"])).toEqual([]);
    expect(looseDifferences(actual, {}, ["failure.restart"]).map((d) => d.path)).toEqual(["failure.restart"]);
    expect(looseDifferences(actual, {}, ["items[].v"]).map((d) => d.path)).toEqual(["items[].v"]);
  });
  it("selects list elements by a field's value", () => {
    const entries = { entries: [{ key: "ce-id", value: "e:1" }, { key: "ce-time", value: "2024-05-01T10:00:00Z" }] };
    expect(looseDifferences(entries, { "entries[key=ce-time].value": "Z" }, ["entries[key=ce-time].value"])).toEqual([]);
    expect(looseDifferences(entries, { "entries[key=ce-id].value": "Z" }, []).map((d) => d.path)).toEqual(["entries[key=ce-id].value"]);
    expect(looseDifferences(entries, {}, ["entries[key=ce-subject].value"]).map((d) => d.path)).toEqual(["entries[key=ce-subject].value"]);
  });
});
