// Message types for the golden tests of the proto3 JSON mapping (proxy/src/http/testdata):
// every scalar type, enums, nesting, repeated fields, maps, oneofs and the well-known types,
// as one contract file `golden/golden.proto` written as a FileDescriptorProto in JSON form.
// The .proto it stands for:
//
//   package golden;
//   enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
//   message Scalars { double f_double = 1; float f_float = 2; int32 f_int32 = 3; int64 f_int64 = 4;
//     uint32 f_uint32 = 5; uint64 f_uint64 = 6; sint32 f_sint32 = 7; sint64 f_sint64 = 8;
//     fixed32 f_fixed32 = 9; fixed64 f_fixed64 = 10; sfixed32 f_sfixed32 = 11; sfixed64 f_sfixed64 = 12;
//     bool f_bool = 13; string f_string = 14; bytes f_bytes = 15; Color f_color = 16; }
//   message Nested { string name = 1; Scalars scalars = 2; Nested child = 3; }
//   message Repeated { repeated int32 ints = 1; repeated int64 longs = 2; repeated string strings = 3;
//     repeated bytes blobs = 4; repeated Color colors = 5; repeated Nested children = 6;
//     repeated double doubles = 7; repeated bool bools = 8; }
//   message Maps { map<string, int64> counts = 1; map<int32, string> names = 2; map<bool, Color> flags = 3;
//     map<uint64, Nested> nested = 4; map<string, bytes> blobs = 5; map<sint64, double> ratios = 6; }
//   message Oneofs { oneof choice { string text = 1; int64 number = 2; Nested nested = 3; Color color = 4;
//     google.protobuf.Timestamp at = 5; } string other = 6; }
//   message WellKnown { google.protobuf.Timestamp timestamp = 1; google.protobuf.Duration duration = 2;
//     google.protobuf.DoubleValue double_value = 3; ... google.protobuf.BytesValue bytes_value = 11;
//     google.protobuf.Struct struct = 12; google.protobuf.Value value = 13; google.protobuf.ListValue list = 14;
//     google.protobuf.FieldMask field_mask = 15; google.protobuf.Any any = 16; google.protobuf.Empty empty = 17;
//     repeated google.protobuf.Timestamp timestamps = 18; map<string, google.protobuf.Value> values = 19;
//     google.protobuf.NullValue null_value = 20; }

import { createFileRegistry, fromJson, type FileRegistry, type JsonObject } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

const WKT = [
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];

type Kind = "double" | "float" | "int32" | "int64" | "uint32" | "uint64" | "sint32" | "sint64" | "fixed32" | "fixed64" | "sfixed32" | "sfixed64" | "bool" | "string" | "bytes" | "enum" | "message";

const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function f(name: string, number: number, kind: Kind, extra: { typeName?: string; repeated?: boolean; oneof?: number } = {}): JsonObject {
  return {
    name,
    number,
    type: `TYPE_${kind.toUpperCase()}`,
    label: extra.repeated === true ? "LABEL_REPEATED" : "LABEL_OPTIONAL",
    jsonName: camel(name),
    ...(extra.typeName === undefined ? {} : { typeName: extra.typeName }),
    ...(extra.oneof === undefined ? {} : { oneofIndex: extra.oneof }),
  };
}

/** A map field and its entry type, named as protoc names them. */
function map(name: string, number: number, key: Kind, value: Kind, valueType?: string): { field: JsonObject; entry: JsonObject } {
  const entry = `${camel(name).replace(/^./, (c) => c.toUpperCase())}Entry`;
  return {
    field: f(name, number, "message", { typeName: `.golden.Maps.${entry}`, repeated: true }),
    entry: { name: entry, field: [f("key", 1, key), f("value", 2, value, valueType === undefined ? {} : { typeName: valueType })], options: { mapEntry: true } },
  };
}

const SCALARS: Kind[] = ["double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes"];
const MAPS = [
  map("counts", 1, "string", "int64"),
  map("names", 2, "int32", "string"),
  map("flags", 3, "bool", "enum", ".golden.Color"),
  map("nested", 4, "uint64", "message", ".golden.Nested"),
  map("blobs", 5, "string", "bytes"),
  map("ratios", 6, "sint64", "double"),
];
const WRAPPERS = ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"];

const GOLDEN_FILE: JsonObject = {
  name: "golden/golden.proto",
  package: "golden",
  syntax: "proto3",
  dependency: WKT.map((w) => w.proto.name),
  enumType: [{ name: "Color", value: [{ name: "COLOR_UNSPECIFIED", number: 0 }, { name: "RED", number: 1 }, { name: "GREEN", number: 2 }] }],
  messageType: [
    { name: "Scalars", field: [...SCALARS.map((k, i) => f(`f_${k}`, i + 1, k)), f("f_color", 16, "enum", { typeName: ".golden.Color" })] },
    { name: "Nested", field: [f("name", 1, "string"), f("scalars", 2, "message", { typeName: ".golden.Scalars" }), f("child", 3, "message", { typeName: ".golden.Nested" })] },
    {
      name: "Repeated",
      field: [
        f("ints", 1, "int32", { repeated: true }),
        f("longs", 2, "int64", { repeated: true }),
        f("strings", 3, "string", { repeated: true }),
        f("blobs", 4, "bytes", { repeated: true }),
        f("colors", 5, "enum", { typeName: ".golden.Color", repeated: true }),
        f("children", 6, "message", { typeName: ".golden.Nested", repeated: true }),
        f("doubles", 7, "double", { repeated: true }),
        f("bools", 8, "bool", { repeated: true }),
      ],
    },
    { name: "Maps", field: MAPS.map((m) => m.field), nestedType: MAPS.map((m) => m.entry) },
    {
      name: "Oneofs",
      field: [
        f("text", 1, "string", { oneof: 0 }),
        f("number", 2, "int64", { oneof: 0 }),
        f("nested", 3, "message", { typeName: ".golden.Nested", oneof: 0 }),
        f("color", 4, "enum", { typeName: ".golden.Color", oneof: 0 }),
        f("at", 5, "message", { typeName: ".google.protobuf.Timestamp", oneof: 0 }),
        f("other", 6, "string"),
      ],
      oneofDecl: [{ name: "choice" }],
    },
    {
      name: "WellKnown",
      field: [
        f("timestamp", 1, "message", { typeName: ".google.protobuf.Timestamp" }),
        f("duration", 2, "message", { typeName: ".google.protobuf.Duration" }),
        ...WRAPPERS.map((w, i) => f(`${w.toLowerCase()}_value`, i + 3, "message", { typeName: `.google.protobuf.${w}Value` })),
        f("struct", 12, "message", { typeName: ".google.protobuf.Struct" }),
        f("value", 13, "message", { typeName: ".google.protobuf.Value" }),
        f("list", 14, "message", { typeName: ".google.protobuf.ListValue" }),
        f("field_mask", 15, "message", { typeName: ".google.protobuf.FieldMask" }),
        f("any", 16, "message", { typeName: ".google.protobuf.Any" }),
        f("empty", 17, "message", { typeName: ".google.protobuf.Empty" }),
        f("timestamps", 18, "message", { typeName: ".google.protobuf.Timestamp", repeated: true }),
        { ...f("values", 19, "message", { typeName: ".golden.WellKnown.ValuesEntry", repeated: true }) },
        f("null_value", 20, "enum", { typeName: ".google.protobuf.NullValue" }),
      ],
      nestedType: [{ name: "ValuesEntry", field: [f("key", 1, "string"), f("value", 2, "message", { typeName: ".google.protobuf.Value" })], options: { mapEntry: true } }],
    },
  ],
};

/** A registry of the golden types and the well-known types they use. */
export function goldenRegistry(): FileRegistry {
  const golden = fromJson(FileDescriptorProtoSchema, GOLDEN_FILE);
  return createFileRegistry(golden, (name) => WKT.find((w) => w.proto.name === name));
}
