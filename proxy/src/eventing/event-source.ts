// The seams of eventing (spec/eventing.md): where events come from and where replies go. The
// reference proxy implements one source, the event log of its store (event-log-source.ts); a
// message broker plugs in by implementing EventSource for topics (EVT-38, EVT-39) and
// EventDestination (EVT-34..36). Until one does, discovery refuses topics (EVT-6).

import type { Any } from "@cloudstate/protocol";

/**
 * The CloudEvent attributes of an event (spec/eventing.md §3, spec/metadata.md §6), without the
 * `ce-` prefix of their binary-mode form.
 */
export interface CloudEventAttributes {
  /** Unique per event of a source and the same on every delivery (EVT-30). */
  readonly id: string;
  readonly source: string;
  /** The event's type name: the part of its type URL after the last `/` (META-24). */
  readonly type: string;
  /** For an event log, the key of the entity that persisted the event (META-26). */
  readonly subject: string | undefined;
  /** When the event was persisted, RFC 3339 in UTC (META-28), when known. */
  readonly time: string | undefined;
}

/** One event of a source, as a consumer group receives it. */
export interface SourcedEvent {
  /** Position in the source; a group's progress is "every event up to this offset is processed". */
  readonly offset: bigint;
  /**
   * Events with the same ordering key are handed out in order, the next one only after the
   * previous one was acknowledged (EVT-19). For an event log, the entity id.
   */
  readonly orderingKey: string;
  /** The event's sequence number in its entity's journal, for event logs (logs, EVT-27). */
  readonly sequence: bigint | undefined;
  /** The event exactly as stored (or received from the broker). */
  readonly payload: Any;
  readonly cloudEvent: CloudEventAttributes;
}

/** A consumer group's subscription to a source. Not safe for concurrent `next` calls. */
export interface Subscription {
  /**
   * The next event to deliver: never one whose ordering key has an earlier event handed out and
   * not yet acknowledged. Waits until there is one; undefined once the subscription is closed.
   */
  next(): Promise<SourcedEvent | undefined>;
  /**
   * The event was processed (delivered successfully, or skipped, EVT-14): its key's next event may
   * be handed out, and the group's stored progress may move past it once every earlier event is
   * acknowledged too (EVT-22).
   */
  ack(event: SourcedEvent): void;
  /** Stops handing out events, and stores the progress acknowledged so far (EVT-21). */
  close(): Promise<void>;
}

/** Where a consumer group's events come from. */
export interface EventSource {
  /** The kind of source, as in `EventSource.source` of eventing.proto. */
  readonly kind: "event_log" | "topic";
  /** The persistence id or topic: the source part of a group's identity and of its stored offset. */
  readonly name: string;
  /**
   * Subscribes a consumer group, resuming after its stored progress, or at the first event of the
   * source when it has none (EVT-23). Rejects when the progress cannot be read.
   */
  subscribe(consumerGroup: string): Promise<Subscription>;
}

/** A message published to a destination (EVT-34, EVT-36). */
export interface PublishedMessage {
  readonly payload: Any;
  readonly cloudEvent: CloudEventAttributes;
}

/** Where the replies of a method with `out` are published. No implementation in this proxy (EVT-6). */
export interface EventDestination {
  /** The topic. */
  readonly name: string;
  /** Resolves once the broker has accepted the message; a rejection fails the delivery (spec/eventing.md §2.5). */
  publish(message: PublishedMessage): Promise<void>;
}

/** What a message broker offers the proxy; a proxy build with one passes it to discovery and eventing. */
export interface EventBroker {
  topicSource(topic: string): EventSource;
  topicDestination(topic: string): EventDestination;
}
