import { type cloudstate, eventsourced } from "@cloudstate/protocol";
import type { AnySupport } from "../any/any-support.js";
import { typeNameOf } from "../any/codec.js";
import { toClientAction } from "../effects/client-action.js";
import { Metadata } from "../effects/metadata.js";
import { failureOutcome, type Outcome, toOutcome } from "../effects/outcome.js";
import { decodeRequest, resolveHandler } from "../effects/service-definition.js";
import { toCodec } from "../any/any-support.js";
import { errorMessage, ProtocolViolation } from "../server/entity-stream.js";
import type { Logger } from "../logger.js";
import { EventSourcedCommandContext } from "./event-sourced-context.js";
import type { EventSourcedEntity } from "./event-sourced-entity.js";

type Out = eventsourced.EventSourcedStreamOut;
type CommandHandler<S> = (request: unknown, ctx: EventSourcedCommandContext<S, unknown>) => unknown;

/**
 * One event-sourced entity instance on one stream: rebuilds the state from the
 * snapshot and events the proxy replays, then handles commands in order
 * (spec/event-sourced.md).
 */
export class EventSourcedEntityHandler<S> {
  private state: S;
  private sequence: bigint;
  private commandsSeen = false;

  constructor(
    private readonly entity: EventSourcedEntity<never, S>,
    private readonly anySupport: AnySupport,
    private readonly logger: Logger,
    readonly entityId: string,
    snapshot: eventsourced.EventSourcedSnapshot | undefined,
  ) {
    if (snapshot === undefined) {
      this.state = entity.options.initialState(entityId);
      this.sequence = 0n;
    } else {
      const options = entity.options.snapshot;
      if (options === undefined) throw new ProtocolViolation(`${entity.serviceName} takes no snapshots but init carried one`);
      const codec = toCodec(options.type);
      const payload = snapshot.snapshot;
      if (payload === undefined || typeNameOf(payload.typeUrl) !== typeNameOf(codec.typeUrl)) {
        throw new ProtocolViolation(`snapshot of type ${payload?.typeUrl ?? "(none)"} is not ${codec.typeUrl}`);
      }
      this.state = options.fromSnapshot(codec.decode(payload.value));
      this.sequence = snapshot.snapshotSequence;
    }
  }

  /** Applies a replayed event (only before the first command, in sequence). */
  applyEvent(event: eventsourced.EventSourcedEvent): void {
    if (this.commandsSeen) throw new ProtocolViolation(`event ${event.sequence} arrived after a command`);
    if (event.sequence !== this.sequence + 1n) {
      throw new ProtocolViolation(`event sequence ${event.sequence} does not follow ${this.sequence}`);
    }
    const payload = event.payload;
    if (payload === undefined) throw new ProtocolViolation(`event ${event.sequence} has no payload`);
    const handler = this.entity.eventHandler(typeNameOf(payload.typeUrl));
    if (handler === undefined) throw new ProtocolViolation(`no event handler for ${payload.typeUrl}`);
    this.state = handler.apply(handler.codec.decode(payload.value), this.state);
    this.sequence = event.sequence;
  }

  /** Handles one command and returns the message to send back. */
  async handleCommand(command: cloudstate.Command): Promise<Out> {
    this.commandsSeen = true;
    if (command.entityId !== this.entityId) {
      throw new ProtocolViolation(`command ${command.id} is for entity ${command.entityId}, stream is for ${this.entityId}`);
    }
    const resolved = resolveHandler(this.entity.options.service, this.entity.options.commands as Record<string, CommandHandler<S> | undefined>, command.name);
    if (resolved === undefined) {
      return this.failureReply(command.id, `unknown command ${command.name} for ${this.entity.serviceName}`, false);
    }
    const { method, handler } = resolved;
    let request: unknown;
    try {
      request = decodeRequest(method, command.payload);
    } catch (error) {
      return this.failureReply(command.id, `cannot decode ${command.name} request: ${errorMessage(error)}`, false);
    }
    const ctx = new EventSourcedCommandContext<S, unknown>(
      this.anySupport,
      Metadata.fromProtocol(command.metadata),
      this.entity.serviceName,
      (typeName) => this.entity.eventHandler(typeName),
      this.entityId,
      command.id,
      command.name,
      this.state,
      this.sequence,
    );
    let outcome: Outcome<unknown>;
    try {
      outcome = toOutcome(await handler(request, ctx));
    } catch (error) {
      // The handler may have emitted events (applied in memory) before throwing:
      // only a restart from the journal makes the state trustworthy again.
      this.logger.error("command handler failed", { service: this.entity.serviceName, command: command.name, error: errorMessage(error) });
      return this.failureReply(command.id, `${command.name} failed: ${errorMessage(error)}`, true);
    }
    // An event-sourced reply always answers the caller (ES-15).
    if (outcome.kind === "noReply") outcome = failureOutcome(`${command.name} gave no reply`);
    if (outcome.kind === "failure") {
      // Events already applied in memory are discarded with the failure, so the
      // entity must be rebuilt from the journal (spec/event-sourced.md).
      const restart = outcome.restart || ctx.emittedEvents.length > 0;
      return this.failureReply(command.id, outcome.description, restart);
    }
    const events = [...ctx.emittedEvents];
    const before = this.sequence;
    this.state = ctx.state;
    this.sequence = before + BigInt(events.length);
    return {
      message: {
        $case: "reply",
        value: {
          commandId: command.id,
          clientAction: toClientAction(outcome, command.id, toCodec<unknown>(method.responseType), this.anySupport),
          sideEffects: ctx.takeSideEffects(),
          events,
          snapshot: this.snapshotFor(before, this.sequence),
        },
      },
    };
  }

  /** A snapshot goes with the reply whose events pass a multiple of snapshotEvery (spec/event-sourced.md). */
  private snapshotFor(before: bigint, after: bigint) {
    const every = BigInt(this.entity.snapshotEvery);
    const options = this.entity.options.snapshot;
    if (every === 0n || options === undefined || after === before || after / every === before / every) return undefined;
    return this.anySupport.pack(toCodec(options.type), options.toSnapshot(this.state));
  }

  private failureReply(commandId: bigint, description: string, restart: boolean): Out {
    const outcome = failureOutcome(description, restart);
    return {
      message: {
        $case: "reply",
        value: {
          commandId,
          clientAction: { action: { $case: "failure", value: { commandId, description: outcome.description, restart } } },
          sideEffects: [],
          events: [],
          snapshot: undefined,
        },
      },
    };
  }
}
