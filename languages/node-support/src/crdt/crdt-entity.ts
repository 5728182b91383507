import { EntityType } from "@cloudstate/protocol";
import type { CodecLike } from "../any/any-support.js";
import type { Outcome } from "../effects/outcome.js";
import type { RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { CrdtCommandContext } from "./crdt-context.js";

/** A command handler: returns the response message, or an outcome built with `ctx`. */
export type CrdtCommandHandler<Req, Res> = (request: Req, ctx: CrdtCommandContext<Res>) => Res | Outcome<Res> | Promise<Res | Outcome<Res>>;

/**
 * Command handlers keyed by the service definition's method keys (`addItem`). A
 * command for a method without a handler is failed as one for an unknown method (spec/commands.md CMD-35).
 */
export type CrdtCommandHandlers<Svc extends ServiceDefinition> = {
  readonly [K in keyof Svc["methods"]]?: CrdtCommandHandler<RequestOf<Svc["methods"][K]>, ResponseOf<Svc["methods"][K]>>;
};

/** What defines a CRDT entity: its service and command handlers; the value's CRDT type is chosen by the handlers. */
export interface CrdtEntityOptions<Svc extends ServiceDefinition> {
  /** The gRPC service this entity implements (a ts-proto generic definition). */
  readonly service: Svc;
  /** The command handlers, by method key. */
  readonly commands: CrdtCommandHandlers<Svc>;
  /** Namespace of the state; optional for CRDTs (the proxy then uses the service name). */
  readonly persistenceId?: string;
  /** Idle time after which the proxy may passivate the entity; unset uses the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /** Types that set elements, map keys and register values (and payloads) may carry. */
  readonly types?: readonly CodecLike<unknown>[];
}

/** A CRDT entity definition, to add to a `CloudstateServer` (spec/crdt.md). */
export class CrdtEntity<Svc extends ServiceDefinition = ServiceDefinition> {
  /** The entity kind announced at discovery: the CRDT protocol's service name. */
  readonly entityType = EntityType.Crdt;

  constructor(
    /** The options the entity was defined with. */
    readonly options: CrdtEntityOptions<Svc>,
  ) {}

  /** Fully qualified name of the service; the server routes the entity's streams by it. */
  get serviceName(): string {
    return this.options.service.fullName;
  }

  /** Namespace of the values, announced at discovery; empty when unset, and the proxy then uses the service name (spec/discovery.md DISC-12, spec/entity-keys.md KEY-20). */
  get persistenceId(): string {
    return this.options.persistenceId ?? "";
  }
}
