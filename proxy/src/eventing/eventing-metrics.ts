import { Counter, Gauge, type Registry } from "prom-client";

/** What a consumer group reports; implemented on Prometheus by {@link EventingMetrics}. */
export interface ConsumerMetrics {
  delivered(method: string): void;
  deliveryFailed(method: string): void;
  skipped(): void;
  offsetStored(offset: bigint): void;
}

export const NO_CONSUMER_METRICS: ConsumerMetrics = {
  delivered: () => undefined,
  deliveryFailed: () => undefined,
  skipped: () => undefined,
  offsetStored: () => undefined,
};

/** Eventing's Prometheus metrics, labelled by consumer group and source, on the proxy's registry. */
export class EventingMetrics {
  private readonly delivered: Counter<"consumer_group" | "source" | "method">;
  private readonly failed: Counter<"consumer_group" | "source" | "method">;
  private readonly skipped: Counter<"consumer_group" | "source">;
  private readonly offset: Gauge<"consumer_group" | "source">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.delivered = new Counter({
      name: "cloudstate_proxy_eventing_delivered_events_total",
      help: "Events delivered successfully to a subscriber method, by consumer group, source and method.",
      labelNames: ["consumer_group", "source", "method"],
      registers,
    });
    this.failed = new Counter({
      name: "cloudstate_proxy_eventing_failed_deliveries_total",
      help: "Event deliveries that failed and will be retried, by consumer group, source and method.",
      labelNames: ["consumer_group", "source", "method"],
      registers,
    });
    this.skipped = new Counter({
      name: "cloudstate_proxy_eventing_skipped_events_total",
      help: "Events no method of the consumer group can receive, skipped and reported (spec/eventing.md EVT-14).",
      labelNames: ["consumer_group", "source"],
      registers,
    });
    this.offset = new Gauge({
      name: "cloudstate_proxy_eventing_stored_offset",
      help: "The offset last stored for a consumer group: every event of the source up to it is processed.",
      labelNames: ["consumer_group", "source"],
      registers,
    });
  }

  /** The metrics of one consumer group; the series exist from the start at 0. */
  forGroup(consumerGroup: string, source: string, methods: readonly string[]): ConsumerMetrics {
    const labels = { consumer_group: consumerGroup, source };
    const delivered = new Map(methods.map((method) => [method, this.delivered.labels({ ...labels, method })]));
    const failed = new Map(methods.map((method) => [method, this.failed.labels({ ...labels, method })]));
    for (const counter of [...delivered.values(), ...failed.values()]) counter.inc(0);
    const skipped = this.skipped.labels(labels);
    skipped.inc(0);
    const offset = this.offset.labels(labels);
    return {
      delivered: (method) => delivered.get(method)?.inc(),
      deliveryFailed: (method) => failed.get(method)?.inc(),
      skipped: () => skipped.inc(),
      offsetStored: (stored) => offset.set(Number(stored)),
    };
  }
}
