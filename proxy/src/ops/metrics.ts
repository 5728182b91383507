// Prometheus metrics of the proxy. Every entity metric is labelled by entity type and service.
// Callers take a ServiceMetrics once per service and keep it: its methods use label children
// bound in advance, so the per-command path does no label lookups of its own.

import { status as GrpcStatus } from "@grpc/grpc-js";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Kinds of failure counted by `cloudstate_proxy_failures_total`. */
export type FailureKind = "user_function" | "protocol_violation" | "store" | "timeout";

/** Every failure kind, in label order. */
export const FAILURE_KINDS: readonly FailureKind[] = ["user_function", "protocol_violation", "store", "timeout"];

/**
 * Command latency buckets in seconds: the in-memory path answers in well under a millisecond,
 * PostgreSQL writes take milliseconds, and anything near the command timeout (10 s) is a fault.
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Replay of a long event log can take seconds; short ones a fraction of a millisecond. */
export const REPLAY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30];

const SERVICE_LABELS = ["entity_type", "service"] as const;

/** Options of {@link ProxyMetrics}. */
export interface ProxyMetricsOptions {
  /** Also collect Node.js process metrics (CPU, memory, event loop lag, GC); default true. */
  readonly defaultMetrics?: boolean;
}

/** The proxy's metrics, on a registry of their own (not prom-client's global one). */
export class ProxyMetrics {
  readonly registry = new Registry();
  // The prom-client metrics themselves, for ServiceMetrics and for tests; record through forService().
  readonly commands: Counter<"entity_type" | "service" | "outcome">;
  readonly commandDuration: Histogram<"entity_type" | "service">;
  readonly activeEntities: Gauge<"entity_type" | "service">;
  readonly persistedEvents: Counter<"entity_type" | "service">;
  readonly replayDuration: Histogram<"entity_type" | "service">;
  readonly replayedEvents: Counter<"entity_type" | "service">;
  readonly failures: Counter<"entity_type" | "service" | "kind">;
  readonly passivations: Counter<"entity_type" | "service">;
  /** By entity type, then service name. */
  private readonly perService = new Map<string, Map<string, ServiceMetrics>>();

  constructor(options: ProxyMetricsOptions = {}) {
    const registers = [this.registry];
    this.commands = new Counter({
      name: "cloudstate_proxy_commands_total",
      help: "Commands handled, by outcome: ok, or the gRPC status code the caller received.",
      labelNames: [...SERVICE_LABELS, "outcome"],
      registers,
    });
    this.commandDuration = new Histogram({
      name: "cloudstate_proxy_command_duration_seconds",
      help: "Time from receiving a command to answering its caller.",
      labelNames: SERVICE_LABELS,
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.activeEntities = new Gauge({
      name: "cloudstate_proxy_active_entities",
      help: "Entities currently running (activated and not yet passivated).",
      labelNames: SERVICE_LABELS,
      registers,
    });
    this.persistedEvents = new Counter({
      name: "cloudstate_proxy_persisted_events_total",
      help: "Events written to the store.",
      labelNames: SERVICE_LABELS,
      registers,
    });
    this.replayDuration = new Histogram({
      name: "cloudstate_proxy_replay_duration_seconds",
      help: "Time to recover an entity: loading its snapshot and events and sending them to the user function.",
      labelNames: SERVICE_LABELS,
      buckets: [...REPLAY_BUCKETS],
      registers,
    });
    this.replayedEvents = new Counter({
      name: "cloudstate_proxy_replayed_events_total",
      help: "Events sent to the user function while recovering entities.",
      labelNames: SERVICE_LABELS,
      registers,
    });
    this.failures = new Counter({
      name: "cloudstate_proxy_failures_total",
      help: "Failures by kind: user_function, protocol_violation, store, timeout.",
      labelNames: [...SERVICE_LABELS, "kind"],
      registers,
    });
    this.passivations = new Counter({
      name: "cloudstate_proxy_passivations_total",
      help: "Entities passivated (stopped after being idle).",
      labelNames: SERVICE_LABELS,
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The metrics of one service; the same object for the same arguments. Called for every
   * command, so it looks up by the two strings as they are (whose hashes V8 keeps) rather than
   * building a combined key each time.
   */
  forService(entityType: string, service: string): ServiceMetrics {
    let services = this.perService.get(entityType);
    if (services === undefined) {
      services = new Map();
      this.perService.set(entityType, services);
    }
    let metrics = services.get(service);
    if (metrics === undefined) {
      metrics = new ServiceMetrics(this, entityType, service);
      services.set(service, metrics);
    }
    return metrics;
  }

  /** The Content-Type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

type Labels = "entity_type" | "service";

/** The metrics of one (entity type, service) pair, with label children bound in advance. */
export class ServiceMetrics {
  /** Indexed by gRPC status code; 0 (OK) is the `ok` outcome. Filled on first use of a code. */
  private readonly commandsByCode: (Counter.Internal | undefined)[] = [];
  private readonly commandDuration: Histogram.Internal<Labels>;
  private readonly activeEntities: Gauge.Internal<Labels>;
  private readonly persistedEvents: Counter.Internal;
  private readonly replayDuration: Histogram.Internal<Labels>;
  private readonly replayedEvents: Counter.Internal;
  private readonly failures: Readonly<Record<FailureKind, Counter.Internal>>;
  private readonly passivations: Counter.Internal;

  /** @internal Use {@link ProxyMetrics.forService}. */
  constructor(
    private readonly metrics: ProxyMetrics,
    readonly entityType: string,
    readonly service: string,
  ) {
    const labels = { entity_type: entityType, service };
    this.commandDuration = metrics.commandDuration.labels(labels);
    this.activeEntities = metrics.activeEntities.labels(labels);
    this.persistedEvents = metrics.persistedEvents.labels(labels);
    this.replayDuration = metrics.replayDuration.labels(labels);
    this.replayedEvents = metrics.replayedEvents.labels(labels);
    this.passivations = metrics.passivations.labels(labels);
    const failure = (kind: FailureKind): Counter.Internal => metrics.failures.labels({ ...labels, kind });
    this.failures = {
      user_function: failure("user_function"),
      protocol_violation: failure("protocol_violation"),
      store: failure("store"),
      timeout: failure("timeout"),
    };
    // Present from the start at 0, so that dashboards and rate() see the series before any traffic.
    this.activeEntities.set(0);
  }

  /**
   * Records one command answered to its caller with gRPC status `code` (0 for OK), after
   * `seconds` (see {@link secondsSince}).
   */
  commandCompleted(code: GrpcStatus, seconds: number): void {
    let counter = this.commandsByCode[code];
    if (counter === undefined) {
      counter = this.metrics.commands.labels({
        entity_type: this.entityType,
        service: this.service,
        outcome: outcomeLabel(code),
      });
      this.commandsByCode[code] = counter;
    }
    counter.inc();
    this.commandDuration.observe(seconds);
  }

  /** An entity of this service was activated. */
  entityActivated(): void {
    this.activeEntities.inc();
  }

  /** An entity of this service stopped (passivated, failed or shut down). */
  entityDeactivated(): void {
    this.activeEntities.dec();
  }

  /** `count` events were written to the store. */
  eventsPersisted(count: number): void {
    if (count > 0) this.persistedEvents.inc(count);
  }

  /** An entity was recovered from `events` events (after any snapshot) in `seconds`. */
  replayCompleted(events: number, seconds: number): void {
    if (events > 0) this.replayedEvents.inc(events);
    this.replayDuration.observe(seconds);
  }

  /** A failure of `kind` happened for this service. */
  failure(kind: FailureKind): void {
    this.failures[kind].inc();
  }

  /** An entity of this service was passivated. */
  passivation(): void {
    this.passivations.inc();
  }
}

/** Seconds elapsed since `start`, a `process.hrtime.bigint()` reading. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function outcomeLabel(code: GrpcStatus): string {
  if (code === GrpcStatus.OK) return "ok";
  // Numeric enums map back from value to name; unknown numbers keep their digits.
  const name = (GrpcStatus as unknown as Record<number, string | undefined>)[code];
  return name ?? String(code);
}
