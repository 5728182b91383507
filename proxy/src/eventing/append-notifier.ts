import type { Any } from "@cloudstate/protocol";
import type { EventLogEntry, Store, StoredEvent, StoredSnapshot } from "../store/store.js";

/**
 * Tells event-log subscriptions that a persistence id's journal grew, so that events persisted
 * while the proxy runs are delivered at once (EVT-9, EVT-10) rather than at the next poll.
 */
export class AppendNotifier {
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Calls `listener` after each acknowledged append to `persistenceId`; returns the unsubscribe. */
  listen(persistenceId: string, listener: () => void): () => void {
    let set = this.listeners.get(persistenceId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(persistenceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(persistenceId) === set) this.listeners.delete(persistenceId);
    };
  }

  /** Whether anyone listens to `persistenceId`. */
  watches(persistenceId: string): boolean {
    return this.listeners.has(persistenceId);
  }

  appended(persistenceId: string): void {
    const set = this.listeners.get(persistenceId);
    if (set !== undefined) for (const listener of [...set]) listener();
  }
}

/**
 * A store that notifies `notifier` after every append that succeeded: the event-sourced runtime
 * writes through it, so it needs no knowledge of eventing. The caller's promise is the inner
 * store's own, so an append costs no extra turn; only watched persistence ids are notified.
 */
export class AppendNotifyingStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly notifier: AppendNotifier,
  ) {}

  loadSnapshot(persistenceId: string, entityId: string): Promise<StoredSnapshot | undefined> {
    return this.inner.loadSnapshot(persistenceId, entityId);
  }

  loadEvents(persistenceId: string, entityId: string, afterSequence: bigint): Promise<StoredEvent[]> {
    return this.inner.loadEvents(persistenceId, entityId, afterSequence);
  }

  lastSequence(persistenceId: string, entityId: string): Promise<bigint> {
    return this.inner.lastSequence(persistenceId, entityId);
  }

  append(persistenceId: string, entityId: string, expectedLastSequence: bigint, events: readonly Any[], snapshot?: Any): Promise<void> {
    const written = this.inner.append(persistenceId, entityId, expectedLastSequence, events, snapshot);
    if (events.length > 0 && this.notifier.watches(persistenceId)) {
      // The caller handles the rejection; this branch only listens for success.
      written.then(
        () => this.notifier.appended(persistenceId),
        () => undefined,
      );
    }
    return written;
  }

  loadValue(persistenceId: string, entityId: string): Promise<Any | undefined> {
    return this.inner.loadValue(persistenceId, entityId);
  }

  saveValue(persistenceId: string, entityId: string, value: Any | undefined): Promise<void> {
    return this.inner.saveValue(persistenceId, entityId, value);
  }

  readEventLog(persistenceId: string, afterOffset: bigint, limit: number): Promise<EventLogEntry[]> {
    return this.inner.readEventLog(persistenceId, afterOffset, limit);
  }

  loadOffset(consumerGroup: string, source: string): Promise<bigint | undefined> {
    return this.inner.loadOffset(consumerGroup, source);
  }

  saveOffset(consumerGroup: string, source: string, offset: bigint): Promise<void> {
    return this.inner.saveOffset(consumerGroup, source, offset);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
