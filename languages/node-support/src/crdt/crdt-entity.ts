import { EntityType } from "@cloudstate/protocol";
import type { CodecLike } from "../any/any-support.js";
import type { Outcome } from "../effects/outcome.js";
import type { RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { CrdtCommandContext } from "./crdt-context.js";

/** A command handler: returns the response message, or an outcome built with `ctx`. */
export type CrdtCommandHandler<Req, Res> = (request: Req, ctx: CrdtCommandContext<Res>) => Res | Outcome<Res> | Promise<Res | Outcome<Res>>;

export type CrdtCommandHandlers<Svc extends ServiceDefinition> = {
  readonly [K in keyof Svc["methods"]]?: CrdtCommandHandler<RequestOf<Svc["methods"][K]>, ResponseOf<Svc["methods"][K]>>;
};

export interface CrdtEntityOptions<Svc extends ServiceDefinition> {
  /** The gRPC service this entity implements (a ts-proto generic definition). */
  readonly service: Svc;
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
  readonly entityType = EntityType.Crdt;

  constructor(readonly options: CrdtEntityOptions<Svc>) {}

  get serviceName(): string {
    return this.options.service.fullName;
  }

  get persistenceId(): string {
    return this.options.persistenceId ?? "";
  }
}
