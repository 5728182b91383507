// Golden tests of the proto3 JSON mapping the HTTP frontend speaks (spec/http.md §3): each case
// builds a message, renders it with JsonMapping and compares the result with the checked-in
// testdata/<case>.json, then parses that file back and checks it is the same message.
// UPDATE_GOLDEN=1 rewrites the files; review their diff, it is the point of these tests.

import { describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { create, type DescMessage, fromBinary, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { anyPack, DurationSchema, ListValueSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { goldenRegistry } from "../../test/support/golden-types.js";
import { JsonMapping, JsonMappingError } from "./json-mapping.js";

const registry = goldenRegistry();
const mapping = new JsonMapping(registry);

function desc(name: string): DescMessage {
  const d = registry.getMessage(`golden.${name}`);
  if (d === undefined) throw new Error(`no golden.${name}`);
  return d;
}

const RED = 1;
const GREEN = 2;
const bytes = (...b: number[]) => new Uint8Array(b);
// Inputs are built with the reflection API rather than from JSON, so that the golden JSON is
// the mapping's output and not an echo of its input. `create` takes the plain init shape of any
// message type; its static type only knows them as generic records.
type Init = Record<string, unknown>;

const CASES: readonly [name: string, type: string, init: Init][] = [
  ["scalars-defaults", "Scalars", {}],
  [
    "scalars",
    "Scalars",
    {
      fDouble: 1.5,
      fFloat: 0.25,
      fInt32: -42,
      fInt64: -9000000000n,
      fUint32: 4000000000,
      fUint64: 18000000000000000000n,
      fSint32: -7,
      fSint64: -70000000000n,
      fFixed32: 7,
      fFixed64: 70000000000n,
      fSfixed32: -8,
      fSfixed64: -80000000000n,
      fBool: true,
      fString: "cart",
      fBytes: bytes(0, 1, 2, 255),
      fColor: GREEN,
    },
  ],
  [
    "int64-extremes",
    "Scalars",
    {
      fInt32: -2147483648,
      fInt64: -9223372036854775808n,
      fUint32: 4294967295,
      fUint64: 18446744073709551615n,
      fSint32: 2147483647,
      fSint64: 9223372036854775807n,
      fFixed32: 4294967295,
      fFixed64: 18446744073709551615n,
      fSfixed32: -2147483648,
      fSfixed64: -9223372036854775808n,
    },
  ],
  ["floats-special", "Repeated", { doubles: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, Number.MAX_VALUE, 0.1] }],
  ["float-precision", "Repeated", { doubles: [0.1, 1 / 3] }],
  ["float32-shortest", "Scalars", { fFloat: 0.1, fDouble: 0.1 }],
  ["float32-in-wrappers-maps-and-any", "WellKnown", { floatValue: 3.3, any: anyPack(desc("Scalars"), create(desc("Scalars"), { fFloat: 1.1 })) }],
  ["enums", "Repeated", { colors: [RED, GREEN, 0, 7] }],
  ["enum-unknown-number", "Scalars", { fColor: 7 }],
  ["strings-and-bytes", "Repeated", { strings: ["héllo ✓ 😀", "line\nbreak\t\"quoted\" \\ back", ""], blobs: [bytes(), bytes(0xfb, 0xff), bytes(...Array.from({ length: 32 }, (_v, i) => i * 8))] }],
  ["nested", "Nested", { name: "outer", scalars: { fInt64: 1n }, child: { name: "inner", child: { name: "innermost", scalars: {} } } }],
  ["repeated", "Repeated", { ints: [1, -1, 0], longs: [0n, -1n, 9007199254740993n], bools: [true, false], children: [{ name: "a" }, {}, { name: "c" }] }],
  [
    "maps",
    "Maps",
    {
      counts: { apples: 3n, pears: -9223372036854775808n },
      names: { 1: "one", [-2]: "minus two" },
      flags: { true: GREEN, false: 0 },
      nested: { "18446744073709551615": { name: "max" } },
      blobs: { k: bytes(1, 2, 3) },
      ratios: { "-5": 0.5 },
    },
  ],
  ["oneof-text", "Oneofs", { choice: { case: "text", value: "" }, other: "x" }],
  ["oneof-number", "Oneofs", { choice: { case: "number", value: 12345678901234n } }],
  ["oneof-nested", "Oneofs", { choice: { case: "nested", value: { name: "n" } } }],
  ["oneof-enum-default", "Oneofs", { choice: { case: "color", value: 0 } }],
  ["oneof-timestamp", "Oneofs", { choice: { case: "at", value: { seconds: 0n, nanos: 0 } } }],
  [
    "well-known",
    "WellKnown",
    {
      timestamp: { seconds: 1709251199n, nanos: 999000000 },
      duration: { seconds: -1n, nanos: -500000000 },
      // Wrapper fields take their plain value in @bufbuild/protobuf's message shape.
      doubleValue: 2.5,
      floatValue: -0.5,
      int64Value: -9223372036854775808n,
      uint64Value: 18446744073709551615n,
      int32Value: 0,
      uint32Value: 7,
      boolValue: false,
      stringValue: "",
      bytesValue: bytes(104, 105),
      // Struct fields, too, take their JSON object.
      struct: { a: 1, b: [true, null, "x"], c: { d: "e" } },
      value: fromJson(ValueSchema, [1, "two", { three: 3 }]),
      list: fromJson(ListValueSchema, [null, false]),
      fieldMask: { paths: ["f_int32", "scalars.f_string", "child.name"] },
      empty: {},
      timestamps: [
        { seconds: 0n, nanos: 0 },
        { seconds: 1n, nanos: 120000000 },
        { seconds: -62135596800n, nanos: 0 },
        { seconds: 253402300799n, nanos: 999999999 },
        { seconds: 1700000000n, nanos: 1000 },
      ],
      values: { n: fromJson(ValueSchema, null), s: fromJson(ValueSchema, "s"), num: fromJson(ValueSchema, 1.25) },
    },
  ],
  ["value-null", "WellKnown", { value: fromJson(ValueSchema, null), struct: {} }],
  ["any-message", "WellKnown", { any: anyPack(desc("Nested"), create(desc("Nested"), { name: "packed", scalars: { fUint64: 5n } })) }],
  ["any-well-known", "WellKnown", { any: anyPack(DurationSchema, create(DurationSchema, { seconds: 1n, nanos: 500000000 })) }],
];

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

describe("proto3 JSON mapping, golden files", () => {
  it.each(CASES.map(([name, type, init]) => [name, type, init] as const))("%s (golden.%s)", (name, type, init) => {
    const d = desc(type);
    const binary = toBinary(d, create(d, init as never));
    const json = mapping.toJson(d, binary);
    const file = `${dir}${name}.json`;
    if (UPDATE) writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    const text = readFileSync(file, "utf8");
    // Compared as text, so that key order (an Any's "@type" first) counts too.
    expect(`${JSON.stringify(json, null, 2)}\n`).toBe(text);
    const golden = JSON.parse(text) as JsonValue;
    // And back: the golden JSON is the same message, byte for byte.
    const parsed = mapping.fromJson(d, golden);
    expect(Buffer.from(parsed).toString("hex")).toBe(Buffer.from(binary).toString("hex"));
  });
});

describe("JsonMapping", () => {
  it("shows one field of a response as its body, defaults included", () => {
    const d = desc("Repeated");
    const fieldOf = (n: string) => d.fields.find((x) => x.name === n) ?? d.fields[0]!;
    const empty = toBinary(d, create(d));
    expect(mapping.fieldToJson(d, empty, fieldOf("children"))).toEqual([]);
    const set = toBinary(d, create(d, { children: [{ name: "a" }], longs: [5n] }));
    expect(mapping.fieldToJson(d, set, fieldOf("children"))).toEqual([{ name: "a" }]);
    expect(mapping.fieldToJson(d, set, fieldOf("longs"))).toEqual(["5"]);
    const n = desc("Nested");
    const nf = (x: string) => n.fields.find((y) => y.name === x) ?? n.fields[0]!;
    const nested = toBinary(n, create(n));
    expect(mapping.fieldToJson(n, nested, nf("child"))).toBeNull();
    expect(mapping.fieldToJson(n, nested, nf("name"))).toBe("");
    const s = desc("Scalars");
    const sf = (x: string) => s.fields.find((y) => y.name === x) ?? s.fields[0]!;
    const scalars = toBinary(s, create(s));
    expect([sf("f_int64"), sf("f_bool"), sf("f_double"), sf("f_color")].map((x) => mapping.fieldToJson(s, scalars, x))).toEqual(["0", false, 0, "COLOR_UNSPECIFIED"]);
  });

  it.each<[string, string, JsonValue, string]>([
    ["unknown field", "Scalars", { nope: 1 }, 'key "nope" is unknown'],
    ["int64 out of range", "Scalars", { fInt64: "9223372036854775808" }, "golden.Scalars.f_int64"],
    ["fraction for an integer", "Scalars", { fInt32: 1.5 }, "golden.Scalars.f_int32"],
    ["bad base64", "Scalars", { fBytes: "***" }, "golden.Scalars.f_bytes"],
    ["unknown enum name", "Scalars", { fColor: "BLUE" }, "golden.Color"],
    ["bad timestamp", "WellKnown", { timestamp: "yesterday" }, "google.protobuf.Timestamp"],
    ["two oneof members", "Oneofs", { text: "a", number: "1" }, "golden.Oneofs"],
    ["Any of an unknown type", "WellKnown", { any: { "@type": "type.googleapis.com/nope.Nope" } }, "nope.Nope"],
  ])("refuses %s", (_name, type, json, problem) => {
    const d = desc(type);
    expect(() => mapping.fromJson(d, json)).toThrow(JsonMappingError);
    expect(() => mapping.fromJson(d, json)).toThrow(problem);
  });

  it("renders what arrives in binary, with proto field names read back too", () => {
    const d = desc("Scalars");
    const viaProtoNames = mapping.fromJson(d, { f_int32: 3, f_string: "x" });
    expect(mapping.toJson(d, viaProtoNames)).toEqual({ fInt32: 3, fString: "x" });
    expect(fromBinary(d, viaProtoNames)).toBeDefined();
  });
});
