// EntitySpecs with `(cloudstate.eventing)` method options, for tests of discovery and eventing: a
// file `test/eventing_test.proto` (package `t`) added to the contracts' descriptor set, with three
// messages (`t.A` and `t.B`, each with an entity key field `id`, and `t.C` without), and services
// built from a short description whose methods carry the option as extension field 1081.

import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  MethodOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { type cloudstate, contractsDescriptorSet, EntityType, eventing } from "@cloudstate/protocol";

/** One method of a test service. */
export interface TestMethod {
  readonly name: string;
  /** Fully qualified input type: `t.A`, `t.B`, `t.C` or `google.protobuf.Any`. */
  readonly input: string;
  readonly eventing?: eventing.DeepPartial<eventing.Eventing>;
  readonly serverStreaming?: boolean;
  readonly clientStreaming?: boolean;
}

/** One test service and the entity kind serving it. */
export interface TestService {
  readonly name: string;
  readonly entityType?: EntityType;
  readonly persistenceId?: string;
  readonly methods: readonly TestMethod[];
}

const KEY = (): ReturnType<typeof create<typeof FieldOptionsSchema>> => {
  const options = create(FieldOptionsSchema);
  // (cloudstate.entity_key) = true: field 1080, varint 1.
  options.$unknown = [{ no: 1080, wireType: WireType.Varint, data: Uint8Array.of(1) }];
  return options;
};

const field = (name: string, number: number, key: boolean) => ({
  name,
  number,
  jsonName: name,
  type: FieldDescriptorProto_Type.STRING,
  label: FieldDescriptorProto_Label.OPTIONAL,
  ...(key ? { options: KEY() } : {}),
});

/** The descriptor set of the contracts plus a test file with `services`. */
export function eventingDescriptorSet(services: readonly TestService[]): Uint8Array {
  const file = create(FileDescriptorProtoSchema, {
    name: "test/eventing_test.proto",
    package: "t",
    syntax: "proto3",
    dependency: ["google/protobuf/any.proto"],
    messageType: [
      { name: "A", field: [field("id", 1, true), field("text", 2, false)] },
      { name: "B", field: [field("id", 1, true)] },
      { name: "C", field: [field("text", 1, false)] },
    ],
    service: services.map((s) => ({
      name: s.name,
      method: s.methods.map((m) => {
        const options = create(MethodOptionsSchema);
        if (m.eventing !== undefined) {
          // An unknown field's data holds the length prefix of a length-delimited value.
          const data = new BinaryWriter().bytes(eventing.Eventing.encode(eventing.Eventing.fromPartial(m.eventing)).finish()).finish();
          options.$unknown = [{ no: 1081, wireType: WireType.LengthDelimited, data }];
        }
        return {
          name: m.name,
          inputType: `.${m.input}`,
          outputType: ".t.C",
          serverStreaming: m.serverStreaming ?? false,
          clientStreaming: m.clientStreaming ?? false,
          options,
        };
      }),
    })),
  });
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...contractsDescriptorSet().file, file] }));
}

/** An EntitySpec serving `services` (package `t`; actions unless an entity type is given). */
export function eventingEntitySpec(services: readonly TestService[]): cloudstate.EntitySpec {
  return {
    proto: eventingDescriptorSet(services),
    entities: services.map((s) => ({
      entityType: s.entityType ?? EntityType.Action,
      serviceName: `t.${s.name}`,
      persistenceId: s.persistenceId ?? "",
      passivationStrategy: undefined,
    })),
    serviceInfo: undefined,
  };
}

/** An `in` from the event log of `persistenceId`, optionally in a named consumer group. */
export function fromEventLog(persistenceId: string, consumerGroup = ""): eventing.DeepPartial<eventing.Eventing> {
  return { in: { consumerGroup, source: { $case: "eventLog", value: persistenceId } } };
}
