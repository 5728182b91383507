import { EntityType, eventsourced } from "@cloudstate/protocol";
import { COMMAND_FIELD } from "../entity/command-message.js";
import { encodeToBuffer } from "../entity/protocol-encoding.js";
import { SequentialEntity, type StartMessages, Violation } from "../entity/sequential-entity.js";
import type { StoredEvent } from "../store/store.js";
import { encodeEventMessage } from "./event-message.js";

type In = eventsourced.EventSourcedStreamIn;
type Out = eventsourced.EventSourcedStreamOut;

/**
 * An event-sourced entity (spec/event-sourced.md): initialised from the latest
 * snapshot and the later events, it persists each reply's events atomically
 * before anything else happens for that reply.
 */
export class EventSourcedEntity extends SequentialEntity<In, Out> {
  protected readonly path = "/cloudstate.eventsourced.EventSourced/handle";
  protected readonly entityType = EntityType.EventSourced;
  protected readonly commandField = COMMAND_FIELD.eventSourced;
  /** Sequence number of the last persisted event (ES-17). */
  private sequence = 0n;

  private get persistenceId(): string {
    return this.ctx.spec.services.get(this.serviceName)?.persistenceId ?? this.serviceName;
  }

  protected encode(message: In): Buffer {
    return encodeToBuffer(eventsourced.EventSourcedStreamIn, message);
  }

  protected decode(bytes: Uint8Array): Out {
    return eventsourced.EventSourcedStreamOut.decode(bytes);
  }

  protected async initMessages(): Promise<StartMessages> {
    const snapshot = await this.ctx.store.loadSnapshot(this.persistenceId, this.key);
    const after = snapshot?.sequence ?? 0n;
    const events = await this.ctx.store.loadEvents(this.persistenceId, this.key, after);
    // Sequences continue from what is actually stored (ES-59).
    this.sequence = events.at(-1)?.sequence ?? after;
    const init: In = {
      message: {
        $case: "init",
        value: {
          serviceName: this.serviceName,
          entityId: this.key,
          snapshot: snapshot && { snapshotSequence: snapshot.sequence, snapshot: snapshot.payload },
        },
      },
    };
    return { replayed: events.length, encoded: this.startMessages(init, events) };
  }

  /** Init, then every event after the snapshot in order (ES-7), each encoded when the stream takes it. */
  private *startMessages(init: In, events: readonly StoredEvent[]): Iterable<Buffer> {
    yield this.encode(init);
    for (const event of events) yield encodeEventMessage(event.sequence, event.payload);
  }

  protected async onMessage(message: Out): Promise<void> {
    const m = message.message;
    switch (m?.$case) {
      case "reply":
        return this.onReply(m.value);
      case "failure":
        return this.entityFailed(m.value);
      case undefined:
        throw new Violation("ERR-10: a message with no known case");
    }
  }

  private async onReply(reply: eventsourced.EventSourcedReply): Promise<void> {
    const inFlight = this.answered(reply.commandId);
    const action = reply.clientAction?.action;
    if (action === undefined) throw new Violation("ERR-11: a reply without client action");
    if (action.$case === "failure" && (reply.events.length > 0 || reply.snapshot !== undefined)) throw new Violation("ERR-15: a failure reply carries events or a snapshot");
    if (reply.snapshot !== undefined && reply.events.length === 0) throw new Violation("ERR-16: a snapshot without events");
    if (reply.events.some((e) => e.typeUrl === "") || reply.snapshot?.typeUrl === "") throw new Violation("ERR-14: an event or snapshot without type URL");
    this.checkEffects(inFlight.pending.call.method, reply.clientAction, reply.sideEffects);
    if (action.$case === "failure") {
      this.commandFailed(action.value, reply.sideEffects);
      return;
    }
    if (reply.events.length > 0) {
      // A failed append is not acknowledged: the caller gets UNAVAILABLE, nothing is performed, and
      // the user function, which already applied the events, restarts from storage (ES-56..58).
      await this.ctx.store.append(this.persistenceId, this.key, this.sequence, reply.events, reply.snapshot);
      this.sequence += BigInt(reply.events.length);
      this.ctx.metrics.eventsPersisted(this.serviceName, this.entityType, reply.events.length);
    }
    this.stored(reply.clientAction, reply.sideEffects);
  }
}
