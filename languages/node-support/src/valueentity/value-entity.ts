import { EntityType } from "@cloudstate/protocol";
import type { CodecLike } from "../any/any-support.js";
import type { Outcome } from "../effects/outcome.js";
import type { RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { ValueEntityCommandContext } from "./value-entity-context.js";

/** A command handler: returns the response message, or an outcome built with `ctx`. */
export type ValueEntityCommandHandler<Req, Res, S> = (
  request: Req,
  ctx: ValueEntityCommandContext<S, Res>,
) => Res | Outcome<Res> | Promise<Res | Outcome<Res>>;

/**
 * Command handlers keyed by the service definition's method keys (`addItem`). A
 * command for a method without a handler is failed as one for an unknown method (spec/commands.md CMD-35).
 */
export type ValueEntityCommandHandlers<Svc extends ServiceDefinition, S> = {
  readonly [K in keyof Svc["methods"]]?: ValueEntityCommandHandler<RequestOf<Svc["methods"][K]>, ResponseOf<Svc["methods"][K]>, S>;
};

/** What defines a value entity: its service, stored value and command handlers. */
export interface ValueEntityOptions<Svc extends ServiceDefinition, S> {
  /** The gRPC service this entity implements (a ts-proto generic definition). */
  readonly service: Svc;
  /** Namespace of the entity's stored value (spec/discovery.md). */
  readonly persistenceId: string;
  /** The type of the stored state. */
  readonly stateType: CodecLike<S>;
  /** The state of an entity with nothing stored. */
  readonly initialState: (entityId: string) => S;
  /** The command handlers, by method key. */
  readonly commands: ValueEntityCommandHandlers<Svc, S>;
  /** Idle time after which the proxy may passivate the entity; unset uses the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /** More types that payloads may carry. */
  readonly types?: readonly CodecLike<unknown>[];
}

/** A value entity definition, to add to a `CloudstateServer` (spec/value-entity.md). */
export class ValueEntity<Svc extends ServiceDefinition = ServiceDefinition, S = unknown> {
  /** The entity kind announced at discovery: the value entity protocol's service name. */
  readonly entityType = EntityType.ValueEntity;

  constructor(
    /** The options the entity was defined with. */
    readonly options: ValueEntityOptions<Svc, S>,
  ) {}

  /** Fully qualified name of the service; the server routes the entity's streams by it. */
  get serviceName(): string {
    return this.options.service.fullName;
  }

  /** Namespace of the stored values, announced at discovery (spec/discovery.md DISC-11). */
  get persistenceId(): string {
    return this.options.persistenceId;
  }
}
