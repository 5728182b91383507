// One consumer group consuming one source (spec/eventing.md §2): takes events from its
// subscription in order, routes each to the group's method that receives it, delivers it through
// the dispatcher, and acknowledges it only once processed, so that the stored offset never passes
// an event that was not (EVT-20, EVT-22). A failed delivery is retried with exponential backoff
// (EVT-25) while the events of other entities go on (EVT-24); the subscription holds back the
// failing entity's later events (EVT-19).

import { status } from "@grpc/grpc-js";
import type { ConsumerGroupSpec, MethodSpec } from "../discovery/user-spec.js";
import type { RuntimeLog } from "../entity/entity-context.js";
import { RoutingError } from "../routing/dispatcher.js";
import type { RoutedCall } from "../routing/service-handler.js";
import { cloudEventMetadata, isJsonOrPrimitive } from "./cloud-event.js";
import type { Deliverer, DeliveryOutcome } from "./event-delivery.js";
import { deliveryRequest, EventRouter } from "./event-router.js";
import type { EventSource, SourcedEvent, Subscription } from "./event-source.js";
import type { ConsumerMetrics } from "./eventing-metrics.js";

/** Retry delays of failed deliveries (EVT-25, EVT-26). */
export interface RetryPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/** What a consumer needs from the proxy. */
export interface ConsumerContext {
  readonly delivery: Deliverer;
  readonly retry: RetryPolicy;
  readonly log: RuntimeLog;
  readonly metrics: ConsumerMetrics;
  /** Reports a user-function fault; never throws. */
  reportError(message: string): void;
}

/** The delay before retry number `attempt` (1 for the first): doubling from the minimum up to the maximum. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
}

/** A delivery ready to be made: the same call, with the same metadata, on every attempt (EVT-25, EVT-30). */
interface Prepared {
  readonly method: MethodSpec;
  readonly call: RoutedCall;
  readonly request: Uint8Array;
}

/** Consumes one source for one consumer group, from start() until stop(). */
export class GroupConsumer {
  private readonly router: EventRouter;
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Deliveries in flight and retries waiting, so that stop() can wait for them or cancel them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly reportedTypes = new Set<string>();
  private wakeStart: (() => void) | undefined;

  constructor(
    readonly group: ConsumerGroupSpec,
    private readonly source: EventSource,
    private readonly ctx: ConsumerContext,
  ) {
    this.router = new EventRouter(group.methods);
  }

  /** Starts consuming in the background (EVT-1); a store that cannot be read is retried. */
  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      // A bug, not a delivery failure: the group stops consuming until the proxy restarts.
      this.ctx.log.error("the consumer group stopped", { ...this.where(), error: errorText(error) });
    });
  }

  /**
   * Stops taking events, waits for the deliveries in flight (so that what the user function
   * processed is acknowledged), cancels waiting retries, and stores the progress made.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeStart?.();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.inFlightSettled();
    // Closing ends the loop's pending next(), then stores the offset the acknowledgements allow.
    await this.subscription?.close();
    await this.running;
  }

  /** Read through a call, since stop() changes it while run() awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async inFlightSettled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const subscription = await this.subscribe();
    if (subscription === undefined) return;
    this.subscription = subscription;
    if (this.stopped) {
      await subscription.close();
      return;
    }
    for (;;) {
      const event = await subscription.next();
      if (event === undefined || this.isStopped()) return;
      // One delivery at a time in the healthy path, in the order of the log; only retries run beside it.
      await this.track(this.process(subscription, event));
    }
  }

  private async subscribe(): Promise<Subscription | undefined> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        return await this.source.subscribe(this.group.name);
      } catch (error) {
        const delay = retryDelayMs(this.ctx.retry, attempt);
        this.ctx.log.warn("cannot read the consumer group's offset; retrying", { ...this.where(), error: errorText(error), retryInMs: delay });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeStart = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return undefined;
  }

  private async process(subscription: Subscription, event: SourcedEvent): Promise<void> {
    const prepared = this.prepare(event);
    if (prepared === undefined) {
      subscription.ack(event);
      return;
    }
    const outcome = await this.attempt(prepared, event, 1);
    if (outcome.ok) subscription.ack(event);
    else this.scheduleRetry(subscription, prepared, event, 1);
  }

  /** The call that delivers `event`, or undefined when the event is skipped (EVT-14). */
  private prepare(event: SourcedEvent): Prepared | undefined {
    const method = this.router.methodFor(event.payload);
    if (method === undefined) {
      const only = isJsonOrPrimitive(event.payload.typeUrl) ? "JSON and primitive events go only to a method taking google.protobuf.Any (EVT-12)" : `no method of the group takes ${event.cloudEvent.type} or google.protobuf.Any (EVT-11)`;
      this.skip(event, only);
      return undefined;
    }
    const request = deliveryRequest(method, event.payload);
    try {
      return { method, call: this.ctx.delivery.route(method, request, cloudEventMetadata(event.cloudEvent)), request };
    } catch (error) {
      // An empty entity key (EVT-14), or bytes that are not the type they claim to be: no attempt can succeed.
      if (error instanceof RoutingError) {
        this.skip(event, `it cannot be delivered to ${method.name}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }

  private skip(event: SourcedEvent, why: string): void {
    this.ctx.metrics.skipped();
    this.ctx.log.warn("event skipped", { ...this.where(), entityId: event.cloudEvent.subject, ceId: event.cloudEvent.id, type: event.payload.typeUrl, reason: why });
    // At least once per group and event type (EVT-14), and not for every event of a busy type.
    const reported = `${event.payload.typeUrl}\u0000${why}`;
    if (this.reportedTypes.has(reported)) return;
    this.reportedTypes.add(reported);
    this.ctx.reportError(`EVT-14: consumer group ${this.group.name} of event log ${this.group.persistenceId} skipped event ${event.cloudEvent.id} of type ${event.payload.typeUrl}: ${why}`);
  }

  private async attempt(prepared: Prepared, event: SourcedEvent, attempt: number): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.ctx.delivery.deliver(prepared.call, prepared.request);
    } catch (error) {
      outcome = { ok: false, error: { code: status.INTERNAL, message: errorText(error) } };
    }
    if (outcome.ok) {
      this.ctx.metrics.delivered(prepared.method.name);
      if (attempt > 1) this.ctx.log.info("event delivered after retrying", { ...this.where(), method: prepared.method.path, ceId: event.cloudEvent.id, attempts: attempt });
      return outcome;
    }
    this.ctx.metrics.deliveryFailed(prepared.method.name);
    // EVT-27: the method, the source, the entity id and the sequence number.
    this.ctx.log.warn("event delivery failed; it will be retried", {
      ...this.where(),
      method: prepared.method.path,
      entityId: event.cloudEvent.subject,
      sequence: event.sequence?.toString(),
      ceId: event.cloudEvent.id,
      attempt,
      code: status[outcome.error.code],
      error: outcome.error.message,
      retryInMs: retryDelayMs(this.ctx.retry, attempt),
    });
    return outcome;
  }

  /** Retries until the delivery succeeds or the consumer stops; acknowledges on success (EVT-20, EVT-25). */
  private scheduleRetry(subscription: Subscription, prepared: Prepared, event: SourcedEvent, failures: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.stopped) return;
      void this.track(
        this.attempt(prepared, event, failures + 1).then((outcome) => {
          if (outcome.ok) subscription.ack(event);
          else this.scheduleRetry(subscription, prepared, event, failures + 1);
        }),
      );
    }, retryDelayMs(this.ctx.retry, failures));
    this.retryTimers.add(timer);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private where(): Record<string, string> {
    return { consumerGroup: this.group.name, source: this.group.persistenceId };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
