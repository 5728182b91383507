// Discovered specs for the HTTP frontend's unit tests: a small contract file, written as a
// FileDescriptorProto in its JSON form (so that `google.api.http` options can be given inline),
// validated by the proxy's own spec validation together with every contract it imports.

import { create, fromJson, type JsonObject, type JsonValue, toBinary } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { contractsDescriptorSet, contractsRegistry, EntityType } from "@cloudstate/protocol";
import { validateSpec } from "../../src/discovery/spec-validation.js";
import type { MethodSpec, UserSpec } from "../../src/discovery/user-spec.js";

const PACKAGE = "test.http";
/** The service of {@link thingsSpec}, an action so that every call shape is allowed. */
export const THINGS = `${PACKAGE}.Things`;

type Type = "string" | "int64" | "int32" | "bool" | "bytes" | "double" | "message" | "enum";

function field(name: string, number: number, type: Type, options: { typeName?: string; repeated?: boolean; json?: string; extra?: JsonObject } = {}): JsonObject {
  return {
    name,
    number,
    type: `TYPE_${type.toUpperCase()}`,
    label: options.repeated === true ? "LABEL_REPEATED" : "LABEL_OPTIONAL",
    jsonName: options.json ?? name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
    ...(options.typeName === undefined ? {} : { typeName: options.typeName }),
    ...(options.extra ?? {}),
  };
}

const MESSAGES: JsonValue = [
  {
    name: "Thing",
    field: [
      field("id", 1, "string", { extra: { options: { "[cloudstate.entity_key]": true } } }),
      field("inner", 2, "message", { typeName: `.${PACKAGE}.Inner` }),
      field("tags", 3, "string", { repeated: true }),
      field("count", 4, "int64"),
      field("flag", 5, "bool"),
      field("kind", 6, "enum", { typeName: `.${PACKAGE}.Kind` }),
      field("display_name", 7, "string"),
      field("at", 8, "message", { typeName: ".google.protobuf.Timestamp" }),
      field("labels", 9, "message", { typeName: `.${PACKAGE}.Thing.LabelsEntry`, repeated: true }),
      field("kinds", 10, "enum", { typeName: `.${PACKAGE}.Kind`, repeated: true }),
      field("size", 11, "message", { typeName: ".google.protobuf.Int32Value" }),
      field("data", 12, "bytes"),
      field("ratio", 13, "double"),
    ],
    nestedType: [{ name: "LabelsEntry", field: [field("key", 1, "string"), field("value", 2, "string")], options: { mapEntry: true } }],
  },
  { name: "Inner", field: [field("name", 1, "string"), field("deep", 2, "message", { typeName: `.${PACKAGE}.Deep` }), field("values", 3, "int32", { repeated: true })] },
  { name: "Deep", field: [field("leaf", 1, "string")] },
  { name: "Reply", field: [field("message", 1, "string"), field("things", 2, "message", { typeName: `.${PACKAGE}.Thing`, repeated: true }), field("inner", 3, "message", { typeName: `.${PACKAGE}.Inner` })] },
];

/** A method of the Things service: its name, its rule (none: the default route), its call shape. */
export interface ThingMethod {
  readonly name: string;
  readonly http?: JsonObject;
  readonly shape?: "unary" | "client_streaming" | "server_streaming" | "bidi_streaming";
}

/** The contract file holding the Things service with the given methods (input Thing, output Reply). */
export function thingsFile(methods: readonly ThingMethod[]): JsonObject {
  return {
    name: "test/http/things.proto",
    package: PACKAGE,
    syntax: "proto3",
    dependency: ["cloudstate/entity_key.proto", "google/api/annotations.proto", "google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto"],
    messageType: MESSAGES,
    enumType: [{ name: "Kind", value: [{ name: "KIND_UNSPECIFIED", number: 0 }, { name: "KIND_BIG", number: 1 }] }],
    service: [
      {
        name: "Things",
        method: methods.map((m) => ({
          name: m.name,
          inputType: `.${PACKAGE}.Thing`,
          outputType: `.${PACKAGE}.Reply`,
          clientStreaming: m.shape === "client_streaming" || m.shape === "bidi_streaming",
          serverStreaming: m.shape === "server_streaming" || m.shape === "bidi_streaming",
          ...(m.http === undefined ? {} : { options: { "[google.api.http]": m.http } }),
        })),
      },
    ],
  };
}

const WELL_KNOWN = [
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];

/** Validates a spec made of the contracts and one more file; throws the proxy's SpecError when it is refused. */
export function specOf(file: JsonObject, services: readonly { name: string; type: string }[]): UserSpec {
  const extra = fromJson(FileDescriptorProtoSchema, file, { registry: contractsRegistry() });
  const contracts = contractsDescriptorSet().file;
  const wkt = WELL_KNOWN.map((f) => f.proto).filter((p) => !contracts.some((c) => c.name === p.name));
  const set = create(FileDescriptorSetSchema, { file: [...contracts, ...wkt, extra] });
  return validateSpec({
    proto: toBinary(FileDescriptorSetSchema, set),
    entities: services.map((s) => ({ entityType: s.type, serviceName: s.name, persistenceId: s.name, passivationStrategy: undefined })),
    serviceInfo: undefined,
  });
}

/** The Things service, as an action, with the given methods. */
export function thingsSpec(methods: readonly ThingMethod[]): UserSpec {
  return specOf(thingsFile(methods), [{ name: THINGS, type: EntityType.Action }]);
}

/** One method of a spec. */
export function methodOf(spec: UserSpec, service: string, name: string): MethodSpec {
  const method = spec.services.get(service)?.methods.get(name);
  if (method === undefined) throw new Error(`no method ${service}.${name}`);
  return method;
}
