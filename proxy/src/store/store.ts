// The storage contract of the proxy: journals and snapshots of event-sourced entities, values of
// value entities, and the event log and consumer offsets used by eventing. What the contract
// guarantees is what spec/event-sourced.md (ES-1..ES-4, ES-17..ES-29), spec/value-entity.md
// (VE-1, VE-2, VE-15..VE-17) and the failover and eventing rules require of storage.

import type { Any } from "@cloudstate/protocol";

/** One journaled event of an event-sourced entity. */
export interface StoredEvent {
  /** Position in the entity's journal: 1, 2, 3, ... without gaps (ES-1). */
  readonly sequence: bigint;
  /** The event exactly as the user function sent it (ES-2). */
  readonly payload: Any;
}

/** The latest snapshot of an event-sourced entity. */
export interface StoredSnapshot {
  /** Sequence number of the last event the snapshot covers (ES-27). */
  readonly sequence: bigint;
  readonly payload: Any;
}

/** One event as seen by an eventing consumer reading a persistence id's event log. */
export interface EventLogEntry {
  /**
   * Position in the event log. Offsets are global to the store and strictly increasing within a
   * persistence id, and a reader never sees an offset appear below one it has already read, so
   * "everything after offset N" is a safe resume point (spec/eventing.md, consumer offsets).
   */
  readonly offset: bigint;
  readonly entityId: string;
  readonly sequence: bigint;
  readonly payload: Any;
  /** When the event was persisted (CloudEvent `ce-time`, spec/metadata.md). */
  readonly timestamp: Date;
}

/**
 * A storage backend of the proxy.
 *
 * Payload ownership: a store keeps the `Any` objects and byte arrays it is given and returns the
 * objects it holds without copying them, so callers MUST NOT mutate a payload after handing it
 * to the store or after receiving it from the store.
 *
 * Errors: every method rejects with {@link StoreUnavailableError} when the backend cannot be
 * reached or fails; {@link Store.append} also rejects with {@link ConcurrencyError}. A rejected
 * write was not acknowledged; whether it may still have landed is told by
 * {@link StoreUnavailableError.outcomeUnknown}.
 */
export interface Store {
  /** The latest snapshot of an event-sourced entity, if any (ES-6). */
  loadSnapshot(persistenceId: string, entityId: string): Promise<StoredSnapshot | undefined>;

  /** The entity's events whose sequence is greater than `afterSequence`, in ascending order (ES-7). */
  loadEvents(persistenceId: string, entityId: string, afterSequence: bigint): Promise<StoredEvent[]>;

  /** The highest persisted sequence of the entity's journal, 0n when it has none (ES-59). */
  lastSequence(persistenceId: string, entityId: string): Promise<bigint>;

  /**
   * Atomically appends `events` with sequences `expectedLastSequence + 1 ..
   * expectedLastSequence + events.length` (ES-17, ES-18) and, when given, `snapshot` at the last
   * event's sequence (ES-27). The returned promise resolves only once everything is durably
   * written.
   *
   * Rejects with {@link ConcurrencyError} when the journal's last sequence is not
   * `expectedLastSequence`, so two writers of one entity can never interleave its journal; nothing
   * is written then. An empty `events` with no snapshot writes nothing (ES-21) but still checks
   * the expectation. Rejects with `RangeError` for a snapshot without events (ES-24).
   */
  append(
    persistenceId: string,
    entityId: string,
    expectedLastSequence: bigint,
    events: readonly Any[],
    snapshot?: Any,
  ): Promise<void>;

  /** A value entity's stored value, undefined when never written or deleted (VE-5). */
  loadValue(persistenceId: string, entityId: string): Promise<Any | undefined>;

  /**
   * Stores a value entity's value (VE-15) or, with `undefined`, deletes it (VE-16; deleting a
   * missing value is a no-op, VE-17). Resolves once durably written.
   */
  saveValue(persistenceId: string, entityId: string, value: Any | undefined): Promise<void>;

  /**
   * The events of every entity of `persistenceId` whose offset is greater than `afterOffset`, in
   * ascending offset order, at most `limit` of them.
   */
  readEventLog(persistenceId: string, afterOffset: bigint, limit: number): Promise<EventLogEntry[]>;

  /** The last offset an eventing consumer group saved for a source, if any. */
  loadOffset(consumerGroup: string, source: string): Promise<bigint | undefined>;

  /** Saves the offset of the last event a consumer group has processed from a source. */
  saveOffset(consumerGroup: string, source: string, offset: bigint): Promise<void>;

  /**
   * Waits for writes already accepted, then releases the backend's resources. Later calls reject
   * with {@link StoreUnavailableError}.
   */
  close(): Promise<void>;
}

/**
 * An append was rejected because the journal did not end where the writer expected: another
 * writer appended to the entity first (or the caller's view of the journal is stale). Nothing of
 * the rejected append was written.
 */
export class ConcurrencyError extends Error {
  override readonly name = "ConcurrencyError";

  constructor(
    readonly persistenceId: string,
    readonly entityId: string,
    readonly expectedLastSequence: bigint,
    readonly actualLastSequence: bigint,
  ) {
    super(
      `journal of ${persistenceId}/${entityId} ends at sequence ${actualLastSequence}, ` +
        `the append expected ${expectedLastSequence}`,
    );
  }
}

/** Options of {@link StoreUnavailableError}. */
export interface StoreUnavailableErrorOptions {
  /** The underlying driver or network error. */
  readonly cause?: unknown;
  /**
   * True when the connection failed while a commit was in flight, so the write may have landed
   * even though it was not acknowledged. Callers then re-read storage before going on (ES-59,
   * VE-39).
   */
  readonly outcomeUnknown?: boolean;
}

/**
 * The backend cannot be reached or failed. Callers answer gRPC status UNAVAILABLE (ES-54, ES-56,
 * VE-35, VE-36) and acknowledge nothing.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  /** See {@link StoreUnavailableErrorOptions.outcomeUnknown}. */
  readonly outcomeUnknown: boolean;

  constructor(message: string, options: StoreUnavailableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/**
 * The error for an append that carries a snapshot but no events (ES-24): such a snapshot would
 * have no sequence of its own. Undefined when the append is well-formed.
 */
export function appendShapeError(events: readonly Any[], snapshot: Any | undefined): RangeError | undefined {
  return snapshot !== undefined && events.length === 0
    ? new RangeError("a snapshot can only be appended together with at least one event (ES-24)")
    : undefined;
}
