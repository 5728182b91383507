import {
  create,
  createFileRegistry,
  type DescEnum,
  type DescExtension,
  type DescMessage,
  type DescService,
  type Registry,
} from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { contractsRegistry } from "@cloudstate/protocol";

/**
 * Scalar types that primitive payloads (`p.cloudstate.io/<kind>`) carry in
 * field 1 (spec/payloads.md).
 */
const PRIMITIVES: Record<string, FieldDescriptorProto_Type> = {
  string: FieldDescriptorProto_Type.STRING,
  bytes: FieldDescriptorProto_Type.BYTES,
  int32: FieldDescriptorProto_Type.INT32,
  int64: FieldDescriptorProto_Type.INT64,
  float: FieldDescriptorProto_Type.FLOAT,
  double: FieldDescriptorProto_Type.DOUBLE,
  bool: FieldDescriptorProto_Type.BOOL,
};

function syntheticFile(name: string, messages: readonly { name: string; field: string; type: FieldDescriptorProto_Type }[]) {
  return create(FileDescriptorProtoSchema, {
    name,
    syntax: "proto3",
    messageType: messages.map((m) => ({
      name: m.name,
      field: [{ name: m.field, jsonName: m.field, number: 1, type: m.type, label: FieldDescriptorProto_Label.OPTIONAL }],
    })),
  });
}

const primitiveRegistry = createFileRegistry(
  create(FileDescriptorSetSchema, {
    file: [syntheticFile("cloudstate_tck/primitives.proto", Object.entries(PRIMITIVES).map(([name, type]) => ({ name, field: "value", type })))],
  }),
);

const jsonTypes = new Map<string, DescMessage>();

/**
 * A JSON payload (`json.cloudstate.io/<name>`) is field 1 holding UTF-8 JSON;
 * decoding that field as a string shows the JSON text, and encoding a string
 * produces exactly the bytes of the convention.
 */
function jsonPayloadType(name: string): DescMessage | undefined {
  let desc = jsonTypes.get(name);
  if (desc === undefined) {
    desc = createFileRegistry(
      create(FileDescriptorSetSchema, { file: [syntheticFile(`cloudstate_tck/json/${name}.proto`, [{ name, field: "json", type: FieldDescriptorProto_Type.STRING }])] }),
    ).getMessage(name);
    if (desc) jsonTypes.set(name, desc);
  }
  return desc;
}

/**
 * The registry the TCK reads and writes messages with: every contract, plus
 * payload conventions that have no descriptor of their own. A type name that is
 * not a contract type, a primitive name, or a dotted protobuf name is taken to
 * be a JSON payload's name.
 */
export function payloadRegistry(base: Registry = contractsRegistry()): Registry {
  const getMessage = (typeName: string): DescMessage | undefined =>
    base.getMessage(typeName) ?? primitiveRegistry.getMessage(typeName) ?? (typeName.includes(".") || typeName === "" ? undefined : jsonPayloadType(typeName));
  return {
    kind: "registry",
    [Symbol.iterator]: () => base[Symbol.iterator](),
    get: (typeName: string): DescMessage | DescEnum | DescExtension | DescService | undefined => base.get(typeName) ?? getMessage(typeName),
    getMessage,
    getEnum: (typeName) => base.getEnum(typeName),
    getExtension: (typeName) => base.getExtension(typeName),
    getExtensionFor: (extendee, no) => base.getExtensionFor(extendee, no),
    getService: (typeName) => base.getService(typeName),
  };
}
