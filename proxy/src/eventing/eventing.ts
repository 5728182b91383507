import { EntityType } from "@cloudstate/protocol";
import type { UserSpec } from "../discovery/user-spec.js";
import type { RuntimeLog } from "../entity/entity-context.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import type { Store } from "../store/store.js";
import type { AppendNotifier } from "./append-notifier.js";
import { EventDelivery } from "./event-delivery.js";
import { EventLogSource } from "./event-log-source.js";
import { type ConsumerMetrics, type EventingMetrics, NO_CONSUMER_METRICS } from "./eventing-metrics.js";
import { GroupConsumer, type RetryPolicy } from "./group-consumer.js";

/** What eventing needs from the proxy. */
export interface EventingOptions {
  /** The store whose event logs are consumed and where offsets are kept (EVT-21). */
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  /** Notified by the store the event-sourced runtime writes through (AppendNotifyingStore). */
  readonly appends: AppendNotifier;
  /** How often event logs are read when no append was notified. */
  readonly pollIntervalMs: number;
  readonly retry: RetryPolicy;
  /** Longest streamed delivery (see EventDelivery). */
  readonly streamTimeoutMs: number;
  readonly log: RuntimeLog;
  readonly metrics: EventingMetrics | undefined;
  reportError(message: string): void;
}

/**
 * Every consumer group of the spec (spec/eventing.md EVT-1), one consumer each, consuming the
 * event log of its persistence id for as long as the proxy serves the spec.
 */
export class Eventing {
  private readonly consumers: GroupConsumer[];
  private started = false;

  constructor(spec: UserSpec, options: EventingOptions) {
    const delivery = new EventDelivery(options.dispatcher, options.streamTimeoutMs);
    const sources = new Map<string, EventLogSource>();
    const groupMetrics = new Map<string, ConsumerMetrics>();
    const journals = new Set([...spec.services.values()].filter((s) => s.entityType === EntityType.EventSourced).map((s) => s.persistenceId));
    this.consumers = (spec.consumerGroups ?? []).map((group) => {
      const metrics = options.metrics?.forGroup(group.name, group.persistenceId, group.methods.map((m) => m.name)) ?? NO_CONSUMER_METRICS;
      groupMetrics.set(`${group.persistenceId}\u0000${group.name}`, metrics);
      const persistenceId = group.persistenceId;
      let source = sources.get(group.persistenceId);
      if (source === undefined) {
        if (!journals.has(group.persistenceId)) {
          // Allowed (EVT-7 consumes whatever is persisted under P, by any proxy sharing the store), but likely a typo.
          options.log.warn("no event-sourced entity of the user function has this persistence id; the group receives only events other proxies sharing the store persist", {
            consumerGroup: group.name,
            source: group.persistenceId,
          });
        }
        source = new EventLogSource(options.store, group.persistenceId, options.appends, {
          pollIntervalMs: options.pollIntervalMs,
          log: options.log,
          offsetStored: (consumerGroup, offset) => groupMetrics.get(`${persistenceId}\u0000${consumerGroup}`)?.offsetStored(offset),
        });
        sources.set(group.persistenceId, source);
      }
      return new GroupConsumer(group, source, { delivery, retry: options.retry, log: options.log, metrics, reportError: (m) => options.reportError(m) });
    });
  }

  /** The number of consumer groups. */
  get groups(): number {
    return this.consumers.length;
  }

  /** Starts every consumer; the proxy calls it once it serves (events may then be delivered at once). */
  start(log: RuntimeLog): void {
    if (this.started) return;
    this.started = true;
    for (const consumer of this.consumers) {
      consumer.start();
      log.info("consuming events", { consumerGroup: consumer.group.name, source: consumer.group.persistenceId, methods: consumer.group.methods.map((m) => m.name).join(",") });
    }
  }

  /** Stops every consumer and stores their progress; the store must still be open. */
  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
