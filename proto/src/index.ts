// Public API of @cloudstate/protocol: the generated protocol messages and gRPC
// service definitions, grouped by protobuf package, plus protocol constants.

export * as cloudstate from "./gen/cloudstate/entity.js";
export * as eventsourced from "./gen/cloudstate/event_sourced.js";
export * as valueentity from "./gen/cloudstate/value_entity.js";
export * as crdt from "./gen/cloudstate/crdt.js";
export * as action from "./gen/cloudstate/action.js";
export * as eventing from "./gen/cloudstate/eventing.js";
export * as googleApi from "./gen/google/api/http.js";
export { Any } from "./gen/google/protobuf/any.js";
export { Empty } from "./gen/google/protobuf/empty.js";

// Standard gRPC services the proxy serves beside the user's: health checking and server reflection.
export * as grpcHealth from "./gen/grpc/health/v1/health.js";
export * as grpcReflection from "./gen/grpc/reflection/v1/reflection.js";
export * as grpcReflectionAlpha from "./gen/grpc/reflection/v1alpha/reflection.js";

export * as tckModelEventSourced from "./gen/cloudstate/tck/model/eventsourced.js";
export * as tckModelValueEntity from "./gen/cloudstate/tck/model/valueentity.js";
export * as tckModelCrdt from "./gen/cloudstate/tck/model/crdt.js";
export * as tckModelAction from "./gen/cloudstate/tck/model/action.js";
export * as tckModelEventLogEventing from "./gen/cloudstate/tck/model/eventlogeventing.js";
export * as tckCases from "./gen/cloudstate/tck/cases/v1/cases.js";

export { PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "./protocol-version.js";
export { ALL_ENTITY_TYPES, EntityType, isEntityType } from "./entity-types.js";
export { wireManifest } from "./wire-manifest.js";
export { contractsDescriptorSet, contractsDescriptorSetBytes, contractsRegistry } from "./contracts-registry.js";
export { isValidKeyField, KEY_SCALAR_TYPES, markedKeyFields } from "./entity-keys.js";
