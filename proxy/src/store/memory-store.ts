// The embedded default store: everything lives in the proxy's memory and is lost when the proxy
// stops. It sits on the per-command path, so it never copies payloads and does its work
// synchronously; the promises only satisfy the Store interface.

import type { Any } from "@cloudstate/protocol";
import {
  ConcurrencyError,
  StoreUnavailableError,
  appendShapeError,
  type EventLogEntry,
  type Store,
  type StoredEvent,
  type StoredSnapshot,
} from "./store.js";

interface Journal {
  /** Entries in sequence order; the same objects also sit in the persistence id's event log. */
  readonly events: EventLogEntry[];
  snapshot: StoredSnapshot | undefined;
}

/** Two-level map: nesting by persistence id then entity id avoids building (and escaping) composite keys. */
class Keyed<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }

  set(a: string, b: string, value: V): void {
    let inner = this.outer.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(a, inner);
    }
    inner.set(b, value);
  }

  delete(a: string, b: string): void {
    const inner = this.outer.get(a);
    if (inner !== undefined && inner.delete(b) && inner.size === 0) this.outer.delete(a);
  }
}

/** In-memory {@link Store}; see the module comment. Not durable across proxy restarts. */
export class MemoryStore implements Store {
  private readonly journals = new Keyed<Journal>();
  /** Per persistence id, every event in offset order (appends only ever push larger offsets). */
  private readonly eventLogs = new Map<string, EventLogEntry[]>();
  private readonly values = new Keyed<Any>();
  private readonly offsets = new Keyed<bigint>();
  private nextOffset = 1n;
  private closed = false;

  loadSnapshot(persistenceId: string, entityId: string): Promise<StoredSnapshot | undefined> {
    if (this.closed) return closedError();
    return Promise.resolve(this.journals.get(persistenceId, entityId)?.snapshot);
  }

  loadEvents(persistenceId: string, entityId: string, afterSequence: bigint): Promise<StoredEvent[]> {
    if (this.closed) return closedError();
    const events = this.journals.get(persistenceId, entityId)?.events;
    const first = events?.[0];
    if (events === undefined || first === undefined) return Promise.resolve([]);
    // Sequences are consecutive (ES-1), so the position of a sequence is its distance to the first.
    const start = afterSequence < first.sequence ? 0n : afterSequence - first.sequence + 1n;
    if (start >= BigInt(events.length)) return Promise.resolve([]);
    return Promise.resolve(events.slice(Number(start)));
  }

  lastSequence(persistenceId: string, entityId: string): Promise<bigint> {
    if (this.closed) return closedError();
    return Promise.resolve(this.journals.get(persistenceId, entityId)?.events.at(-1)?.sequence ?? 0n);
  }

  append(
    persistenceId: string,
    entityId: string,
    expectedLastSequence: bigint,
    events: readonly Any[],
    snapshot?: Any,
  ): Promise<void> {
    if (this.closed) return closedError();
    const shapeError = appendShapeError(events, snapshot);
    if (shapeError !== undefined) return Promise.reject(shapeError);
    const journal = this.journals.get(persistenceId, entityId);
    const last = journal?.events.at(-1)?.sequence ?? 0n;
    if (last !== expectedLastSequence) {
      return Promise.reject(new ConcurrencyError(persistenceId, entityId, expectedLastSequence, last));
    }
    if (events.length === 0) return Promise.resolve();

    let target = journal;
    if (target === undefined) {
      target = { events: [], snapshot: undefined };
      this.journals.set(persistenceId, entityId, target);
    }
    let log = this.eventLogs.get(persistenceId);
    if (log === undefined) {
      log = [];
      this.eventLogs.set(persistenceId, log);
    }
    const timestamp = new Date();
    let sequence = last;
    for (const payload of events) {
      sequence += 1n;
      const entry: EventLogEntry = { offset: this.nextOffset, entityId, sequence, payload, timestamp };
      this.nextOffset += 1n;
      target.events.push(entry);
      log.push(entry);
    }
    if (snapshot !== undefined) target.snapshot = { sequence, payload: snapshot };
    return Promise.resolve();
  }

  loadValue(persistenceId: string, entityId: string): Promise<Any | undefined> {
    if (this.closed) return closedError();
    return Promise.resolve(this.values.get(persistenceId, entityId));
  }

  saveValue(persistenceId: string, entityId: string, value: Any | undefined): Promise<void> {
    if (this.closed) return closedError();
    if (value === undefined) this.values.delete(persistenceId, entityId);
    else this.values.set(persistenceId, entityId, value);
    return Promise.resolve();
  }

  readEventLog(persistenceId: string, afterOffset: bigint, limit: number): Promise<EventLogEntry[]> {
    if (this.closed) return closedError();
    const log = this.eventLogs.get(persistenceId);
    if (log === undefined || limit <= 0) return Promise.resolve([]);
    const start = firstAfter(log, afterOffset);
    return Promise.resolve(log.slice(start, start + limit));
  }

  loadOffset(consumerGroup: string, source: string): Promise<bigint | undefined> {
    if (this.closed) return closedError();
    return Promise.resolve(this.offsets.get(consumerGroup, source));
  }

  saveOffset(consumerGroup: string, source: string, offset: bigint): Promise<void> {
    if (this.closed) return closedError();
    this.offsets.set(consumerGroup, source, offset);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Index of the first entry whose offset is greater than `offset` (binary search; offsets ascend). */
function firstAfter(log: readonly EventLogEntry[], offset: bigint): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const entry = log[mid];
    if (entry !== undefined && entry.offset <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

function closedError(): Promise<never> {
  return Promise.reject(new StoreUnavailableError("the store is closed"));
}
