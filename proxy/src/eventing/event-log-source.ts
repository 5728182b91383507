// The event log of a persistence id as an event source (spec/eventing.md §2), read from the
// proxy's store: polled after the group's stored offset, and woken by the append notifier as soon
// as an event-sourced entity of this proxy persists events, so that delivery does not wait for
// the next poll. Polling stays, for events other proxies sharing the store persist.

import type { RuntimeLog } from "../entity/entity-context.js";
import type { Store } from "../store/store.js";
import type { AppendNotifier } from "./append-notifier.js";
import { eventLogCloudEvent } from "./cloud-event.js";
import type { EventSource, SourcedEvent, Subscription } from "./event-source.js";

/** Options of {@link EventLogSource}. */
export interface EventLogSourceOptions {
  /** How often the log is read when no append was notified. */
  readonly pollIntervalMs: number;
  /** Events read per query; default 256. */
  readonly batchSize?: number;
  /** Events read and not yet acknowledged, at most; reading pauses beyond. Default 1024. */
  readonly maxOutstanding?: number;
  readonly log: RuntimeLog;
  /** Called after a group's offset was stored (metrics). */
  readonly offsetStored?: (consumerGroup: string, offset: bigint) => void;
}

/** The journal of the event-sourced entities of one persistence id, in the store's offset order. */
export class EventLogSource implements EventSource {
  readonly kind = "event_log";

  constructor(
    private readonly store: Store,
    /** The persistence id. */
    readonly name: string,
    private readonly appends: AppendNotifier,
    private readonly options: EventLogSourceOptions,
  ) {}

  async subscribe(consumerGroup: string): Promise<Subscription> {
    // Offsets are keyed by the group's name and its source (EVT-21); none: the first event (EVT-23).
    const stored = await this.store.loadOffset(consumerGroup, this.name);
    return new EventLogSubscription(this.store, this.name, consumerGroup, stored ?? 0n, this.appends, this.options);
  }
}

/** The events of one entity read and not yet acknowledged, oldest first. */
interface Lane {
  readonly events: SourcedEvent[];
  /** Whether `events[0]` was handed out and awaits its acknowledgement. */
  handedOut: boolean;
}

class EventLogSubscription implements Subscription {
  /** The highest offset read from the log. */
  private readPosition: bigint;
  /** The offset in the store. */
  private stored: bigint;
  /** Read and not acknowledged, by offset; inserted in ascending order, so the first key is the lowest. */
  private readonly outstanding = new Map<bigint, SourcedEvent>();
  private readonly lanes = new Map<string, Lane>();
  /** Entities whose lane's first event can be handed out. */
  private readonly ready = new Set<string>();
  private closed = false;
  /** An append was notified (or a full batch read) since the last read: read again without waiting. */
  private dirty = true;
  private wake: (() => void) | undefined;
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private saveRetry: NodeJS.Timeout | undefined;
  private readonly unlisten: () => void;
  private readonly batchSize: number;
  private readonly maxOutstanding: number;

  constructor(
    private readonly store: Store,
    private readonly persistenceId: string,
    private readonly group: string,
    start: bigint,
    appends: AppendNotifier,
    private readonly options: EventLogSourceOptions,
  ) {
    this.readPosition = start;
    this.stored = start;
    this.batchSize = options.batchSize ?? 256;
    this.maxOutstanding = options.maxOutstanding ?? 1024;
    this.unlisten = appends.listen(persistenceId, () => {
      this.dirty = true;
      this.wakeUp();
    });
  }

  async next(): Promise<SourcedEvent | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const event = this.takeReady();
      if (event !== undefined) return event;
      const room = this.outstanding.size < this.maxOutstanding;
      if (room && this.dirty) {
        this.dirty = false;
        try {
          if ((await this.readMore()) > 0) continue;
        } catch (error) {
          this.options.log.warn("reading the event log failed; retrying", { source: this.persistenceId, consumerGroup: this.group, error: errorText(error) });
          this.dirty = true;
          await this.pause(this.options.pollIntervalMs, true);
          continue;
        }
      }
      // Appended to during the read: read again. Full: wait for an acknowledgement.
      if (room && this.dirty) continue;
      // A poll: whether or not anything was notified, look again (writers other than this proxy, EVT-9).
      if (await this.pause(this.options.pollIntervalMs, false)) this.dirty = true;
    }
  }

  ack(event: SourcedEvent): void {
    const lane = this.lanes.get(event.orderingKey);
    if (lane === undefined || lane.events[0] !== event || !lane.handedOut) {
      throw new Error(`acknowledged ${event.cloudEvent.id}, which is not the event handed out for ${event.orderingKey}`);
    }
    lane.events.shift();
    lane.handedOut = false;
    if (lane.events.length > 0) this.ready.add(event.orderingKey);
    else this.lanes.delete(event.orderingKey);
    this.outstanding.delete(event.offset);
    this.saveProgress();
    this.wakeUp();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    clearTimeout(this.saveRetry);
    this.wakeUp();
    while (this.saving !== undefined) await this.saving;
    const target = this.safeOffset();
    if (target > this.stored) {
      try {
        await this.store.saveOffset(this.group, this.persistenceId, target);
        this.stored = target;
        this.options.offsetStored?.(this.group, target);
      } catch (error) {
        this.options.log.warn("could not store the consumer group's offset at shutdown; its last events will be delivered again", {
          source: this.persistenceId,
          consumerGroup: this.group,
          error: errorText(error),
        });
      }
    }
  }

  /** The first ready lane's event with the lowest offset, so that healthy delivery follows the log. */
  private takeReady(): SourcedEvent | undefined {
    let best: Lane | undefined;
    let bestKey = "";
    for (const key of this.ready) {
      const lane = this.lanes.get(key);
      const head = lane?.events[0];
      if (lane === undefined || head === undefined) continue;
      const current = best?.events[0];
      if (current === undefined || head.offset < current.offset) {
        best = lane;
        bestKey = key;
      }
    }
    const event = best?.events[0];
    if (best === undefined || event === undefined) return undefined;
    this.ready.delete(bestKey);
    best.handedOut = true;
    return event;
  }

  private async readMore(): Promise<number> {
    const room = Math.min(this.batchSize, this.maxOutstanding - this.outstanding.size);
    const entries = await this.store.readEventLog(this.persistenceId, this.readPosition, room);
    if (this.closed) return 0;
    for (const entry of entries) {
      // The store never shows an offset below one already read, so this only guards against a misbehaving backend.
      if (entry.offset <= this.readPosition) continue;
      this.readPosition = entry.offset;
      const event: SourcedEvent = {
        offset: entry.offset,
        orderingKey: entry.entityId,
        sequence: entry.sequence,
        payload: entry.payload,
        cloudEvent: eventLogCloudEvent(this.persistenceId, entry),
      };
      this.outstanding.set(entry.offset, event);
      let lane = this.lanes.get(event.orderingKey);
      if (lane === undefined) {
        lane = { events: [], handedOut: false };
        this.lanes.set(event.orderingKey, lane);
        this.ready.add(event.orderingKey);
      }
      lane.events.push(event);
    }
    if (entries.length === room) this.dirty = true;
    return entries.length;
  }

  /** Every event below the first outstanding one is processed (EVT-22); nothing outstanding: all read. */
  private safeOffset(): bigint {
    const first = this.outstanding.keys().next();
    return first.done === true ? this.readPosition : first.value - 1n;
  }

  /** Stores the safe offset, one write at a time, the latest value winning (EVT-21). */
  private saveProgress(): void {
    if (this.saving !== undefined) {
      this.saveAgain = true;
      return;
    }
    const target = this.safeOffset();
    if (target <= this.stored) return;
    this.saving = this.store
      .saveOffset(this.group, this.persistenceId, target)
      .then(
        () => {
          this.stored = target;
          this.options.offsetStored?.(this.group, target);
        },
        (error: unknown) => {
          this.options.log.warn("could not store the consumer group's offset; retrying", { source: this.persistenceId, consumerGroup: this.group, error: errorText(error) });
          if (!this.closed) this.saveRetry = setTimeout(() => this.saveProgress(), this.options.pollIntervalMs);
        },
      )
      .finally(() => {
        this.saving = undefined;
        if (this.saveAgain && !this.closed) {
          this.saveAgain = false;
          this.saveProgress();
        }
      });
  }

  /**
   * Waits up to `ms`, and tells whether the time ran out. An append, an acknowledgement or close
   * ends the wait early; with `untilTimeout` (after a failed read), only close does.
   */
  private pause(ms: number, untilTimeout: boolean): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (timedOut: boolean) => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        resolve(timedOut);
      };
      const timer = setTimeout(() => finish(true), ms);
      const wake = () => {
        if (!untilTimeout || this.closed) finish(false);
      };
      this.wake = wake;
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
