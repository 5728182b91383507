// Public API of @cloudstate/node-support.

export { CloudstateServer, type BoundAddress, type CloudstateServerOptions, type Hostable } from "./server/cloudstate-server.js";
export { SUPPORTED_VERSION, isCompatible, type ProtocolVersion } from "./server/protocol-version.js";
export { createLogger, type Logger, type LogLevel } from "./logger.js";

export { AnySupport, UnknownTypeError, type CodecLike, type Unpacked } from "./any/any-support.js";
export { type Codec, typeNameOf } from "./any/codec.js";
export { jsonCodec, JSON_PREFIX } from "./any/json-codec.js";
export { messageCodec, MESSAGE_PREFIX, type MessageType } from "./any/message-codec.js";
export { primitives, PRIMITIVE_PREFIX, type PrimitiveKind } from "./any/primitives.js";

export { EffectContext, type CallOptions, type SideEffectRequest } from "./effects/effect-context.js";
export { Metadata, type CloudEvent } from "./effects/metadata.js";
export type { Outcome, ReplyOutcome, ForwardOutcome, FailureOutcome, NoReplyOutcome } from "./effects/outcome.js";
export type { MethodDefinition, ServiceDefinition, RequestOf, ResponseOf } from "./effects/service-definition.js";

export {
  EventSourcedEntity,
  on,
  snapshot,
  type EventHandler,
  type EventSourcedCommandHandler,
  type EventSourcedCommandHandlers,
  type EventSourcedEntityOptions,
  type SnapshotOptions,
} from "./eventsourced/event-sourced-entity.js";
export { EventSourcedCommandContext } from "./eventsourced/event-sourced-context.js";

export { ValueEntity, type ValueEntityCommandHandler, type ValueEntityCommandHandlers, type ValueEntityOptions } from "./valueentity/value-entity.js";
export { ValueEntityCommandContext } from "./valueentity/value-entity-context.js";

export {
  Action,
  type ActionOptions,
  type ActionUnaryHandler,
  type ActionStreamedInHandler,
  type ActionStreamedOutHandler,
  type ActionStreamedHandler,
  type ActionHandlers,
  type ActionHandlerFor,
  type ActionResult,
} from "./action/action.js";
export { ActionContext, ActionStreamContext } from "./action/action-context.js";

export { CrdtEntity, type CrdtCommandHandler, type CrdtCommandHandlers, type CrdtEntityOptions } from "./crdt/crdt-entity.js";
export {
  CrdtCommandContext,
  StateChangeContext,
  CancelContext,
  CrdtStateHolder,
  type StateChangeCallback,
  type StateChangeResult,
  type CancelCallback,
} from "./crdt/crdt-context.js";
export * from "./crdt/index.js";
export { CrdtClock, CrdtWriteConsistency } from "./crdt/crdt-enums.js";
