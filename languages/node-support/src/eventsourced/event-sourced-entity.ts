import { EntityType } from "@cloudstate/protocol";
import { type CodecLike, toCodec } from "../any/any-support.js";
import { type Codec, typeNameOf } from "../any/codec.js";
import type { Outcome } from "../effects/outcome.js";
import type { RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { EventSourcedCommandContext } from "./event-sourced-context.js";

/** Applies one event type to the state; returns the new state. */
export interface EventHandler<S> {
  readonly codec: Codec<unknown>;
  readonly typeName: string;
  apply(event: unknown, state: S): S;
}

/** Declares how events of one type change the state (spec/event-sourced.md). */
export function on<E, S>(type: CodecLike<E>, apply: (event: E, state: S) => S): EventHandler<S> {
  const codec = toCodec(type);
  return { codec: codec, typeName: typeNameOf(codec.typeUrl), apply: (e, s) => apply(e as E, s) };
}

/** How the state is stored in a snapshot and read back. */
export interface SnapshotOptions<S, P> {
  readonly type: CodecLike<P>;
  toSnapshot(state: S): P;
  fromSnapshot(snapshot: P): S;
}

/** A command handler: returns the response message, or an outcome built with `ctx`. */
export type EventSourcedCommandHandler<Req, Res, S> = (
  request: Req,
  ctx: EventSourcedCommandContext<S, Res>,
) => Res | Outcome<Res> | Promise<Res | Outcome<Res>>;

export type EventSourcedCommandHandlers<Svc extends ServiceDefinition, S> = {
  readonly [K in keyof Svc["methods"]]?: EventSourcedCommandHandler<RequestOf<Svc["methods"][K]>, ResponseOf<Svc["methods"][K]>, S>;
};

export interface EventSourcedEntityOptions<Svc extends ServiceDefinition, S> {
  /** The gRPC service this entity implements (a ts-proto generic definition). */
  readonly service: Svc;
  /** Namespace of the entity's journal (spec/discovery.md). */
  readonly persistenceId: string;
  /** The state of an entity that has no snapshot. */
  readonly initialState: (entityId: string) => S;
  readonly events: readonly EventHandler<S>[];
  readonly commands: EventSourcedCommandHandlers<Svc, S>;
  /** Required to take or read snapshots. */
  readonly snapshot?: SnapshotOptions<S, unknown>;
  /** Send a snapshot each time the sequence number passes a multiple of this; 0 (default) never. */
  readonly snapshotEvery?: number;
  /** Idle time after which the proxy may passivate the entity; unset uses the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /** More types that payloads (forwards, side effects) may carry. */
  readonly types?: readonly CodecLike<unknown>[];
}

/** An event-sourced entity definition, to add to a `CloudstateServer`. */
export class EventSourcedEntity<Svc extends ServiceDefinition = ServiceDefinition, S = unknown> {
  readonly entityType = EntityType.EventSourced;
  readonly snapshotEvery: number;

  constructor(readonly options: EventSourcedEntityOptions<Svc, S>) {
    this.snapshotEvery = options.snapshotEvery ?? 0;
    if (!Number.isInteger(this.snapshotEvery) || this.snapshotEvery < 0) {
      throw new RangeError(`snapshotEvery must be a non-negative integer, got ${options.snapshotEvery}`);
    }
    if (this.snapshotEvery > 0 && options.snapshot === undefined) {
      throw new Error(`${options.service.fullName}: snapshotEvery needs snapshot options`);
    }
    const seen = new Set<string>();
    for (const handler of options.events) {
      if (seen.has(handler.typeName)) throw new Error(`${options.service.fullName}: two event handlers for ${handler.typeName}`);
      seen.add(handler.typeName);
    }
  }

  get serviceName(): string {
    return this.options.service.fullName;
  }

  get persistenceId(): string {
    return this.options.persistenceId;
  }

  eventHandler(typeName: string): EventHandler<S> | undefined {
    return this.options.events.find((h) => h.typeName === typeName);
  }
}
