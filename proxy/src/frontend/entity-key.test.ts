import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "@jest/globals";
import { EmptyKeyError, entityKeyOf } from "./entity-key.js";

const T = FieldDescriptorProto_Type;
const field = (name: string, number: number, type: FieldDescriptorProto_Type) => ({ name, number, type, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: name });
const desc = createFileRegistry(
  create(FileDescriptorSetSchema, {
    file: [
      {
        name: "k.proto",
        package: "k",
        syntax: "proto3",
        messageType: [{ name: "R", field: [field("order", 5, T.INT64), field("shop", 2, T.STRING), field("open", 3, T.BOOL), field("n", 4, T.UINT64)] }],
      },
    ],
  }),
).getMessage("k.R") as DescMessage;
const byName = (...names: string[]) => names.map((n) => desc.fields.find((f) => f.name === n)!).sort((a, b) => a.number - b.number);

describe("entityKeyOf (spec/entity-keys.md)", () => {
  const cases: [string, Record<string, unknown>, string[], string][] = [
    ["a string as is (KEY-6, KEY-10)", { shop: " a:B " }, ["shop"], " a:B "],
    ["negative int64 in base 10 (KEY-7)", { order: -7n }, ["order"], "-7"],
    ["uint64 max exactly (KEY-7)", { n: 18446744073709551615n }, ["n"], "18446744073709551615"],
    ["bool (KEY-8)", { open: true }, ["open"], "true"],
    ["the string 0 is not a default", { shop: "0" }, ["shop"], "0"],
    ["composite in field-number order, defaults rendered (KEY-9, KEY-11)", { order: 5n, shop: "" }, ["order", "shop"], ":5"],
    ["composite of three", { order: 1n, shop: "s", open: true }, ["order", "shop", "open"], "s:true:1"],
  ];
  it.each(cases)("%s", (_name, init, fields, key) => {
    expect(entityKeyOf(create(desc, init as never), byName(...fields))).toBe(key);
  });

  it("rejects a key whose fields all hold defaults, naming them (KEY-12)", () => {
    expect(() => entityKeyOf(create(desc, { order: 0n, shop: "" }), byName("order", "shop"))).toThrow(EmptyKeyError);
    expect(() => entityKeyOf(create(desc, {}), byName("shop"))).toThrow("shop");
  });
});
