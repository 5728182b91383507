import { EntityType } from "@cloudstate/protocol";
import { type CodecLike, toCodec } from "../any/any-support.js";
import { type Codec, typeNameOf } from "../any/codec.js";
import type { Outcome } from "../effects/outcome.js";
import type { RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { EventSourcedCommandContext } from "./event-sourced-context.js";

/** Applies one event type to the state; returns the new state. */
export interface EventHandler<S> {
  /** Decodes the event type's payloads, for replayed events. */
  readonly codec: Codec<unknown>;
  /** The event type's name (its type URL after the last `/`): events are matched by it, whatever their URL prefix. */
  readonly typeName: string;
  /** The state after `event`; it runs again at every replay, so it must be deterministic (spec/passivation.md PASS-24). */
  apply(event: unknown, state: S): S;
}

/** Declares how events of one type change the state (spec/event-sourced.md). */
export function on<E, S>(type: CodecLike<E>, apply: (event: E, state: S) => S): EventHandler<S> {
  const codec = toCodec(type);
  return { codec: codec, typeName: typeNameOf(codec.typeUrl), apply: (e, s) => apply(e as E, s) };
}

/** How the state is stored in a snapshot and read back. */
export interface SnapshotOptions<S, P> {
  /** The snapshot's message type (or codec). */
  readonly type: CodecLike<P>;
  /** The snapshot of a state. */
  toSnapshot(state: S): P;
  /** The state a snapshot stands for. */
  fromSnapshot(snapshot: P): S;
}

/**
 * Declares the snapshot of an entity whose state is `S`, stored as message
 * type `P`; the two conversions are checked against each other.
 */
export function snapshot<S, P>(type: CodecLike<P>, toSnapshot: (state: S) => P, fromSnapshot: (snapshot: P) => S): SnapshotOptions<S, unknown> {
  return { type, toSnapshot, fromSnapshot: (p) => fromSnapshot(p as P) };
}

/** A command handler: returns the response message, or an outcome built with `ctx`. */
export type EventSourcedCommandHandler<Req, Res, S> = (
  request: Req,
  ctx: EventSourcedCommandContext<S, Res>,
) => Res | Outcome<Res> | Promise<Res | Outcome<Res>>;

/**
 * Command handlers keyed by the service definition's method keys (`addItem`). A
 * command for a method without a handler is failed as one for an unknown method (spec/commands.md CMD-35).
 */
export type EventSourcedCommandHandlers<Svc extends ServiceDefinition, S> = {
  readonly [K in keyof Svc["methods"]]?: EventSourcedCommandHandler<RequestOf<Svc["methods"][K]>, ResponseOf<Svc["methods"][K]>, S>;
};

/** What defines an event-sourced entity: its service, journal, state, event and command handlers, and snapshots. */
export interface EventSourcedEntityOptions<Svc extends ServiceDefinition, S> {
  /** The gRPC service this entity implements (a ts-proto generic definition). */
  readonly service: Svc;
  /** Namespace of the entity's journal (spec/discovery.md). */
  readonly persistenceId: string;
  /** The state of an entity that has no snapshot. */
  readonly initialState: (entityId: string) => S;
  /**
   * One handler per event type (built with `on`; two for one type name throw). An
   * event of a type without a handler fails the command that emits it, or, on
   * replay, the entity stream (spec/event-sourced.md ES-12).
   */
  readonly events: readonly EventHandler<S>[];
  /** The command handlers, by method key. */
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
  /** The entity kind announced at discovery: the event-sourced protocol's service name. */
  readonly entityType = EntityType.EventSourced;
  /** `options.snapshotEvery`, checked to be a non-negative integer; 0 when unset, meaning never (ES-30, ES-31). */
  readonly snapshotEvery: number;

  constructor(
    /** The options the entity was defined with. */
    readonly options: EventSourcedEntityOptions<Svc, S>,
  ) {
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

  /** Fully qualified name of the service; the server routes the entity's streams by it. */
  get serviceName(): string {
    return this.options.service.fullName;
  }

  /** Namespace of the entity's journal and snapshots, announced at discovery (spec/discovery.md DISC-11). */
  get persistenceId(): string {
    return this.options.persistenceId;
  }

  /** The handler for events of a type name, if any. */
  eventHandler(typeName: string): EventHandler<S> | undefined {
    return this.options.events.find((h) => h.typeName === typeName);
  }
}
