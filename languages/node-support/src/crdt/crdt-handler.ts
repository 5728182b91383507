import { type cloudstate, crdt as proto } from "@cloudstate/protocol";
import { type AnySupport, toCodec } from "../any/any-support.js";
import type { Codec } from "../any/codec.js";
import { toClientAction } from "../effects/client-action.js";
import { Metadata } from "../effects/metadata.js";
import { failureOutcome, isOutcome, type Outcome, toOutcome } from "../effects/outcome.js";
import { decodeRequest, resolveHandler } from "../effects/service-definition.js";
import type { Logger } from "../logger.js";
import { errorMessage, ProtocolViolation } from "../server/entity-stream.js";
import type { Crdt } from "./crdt.js";
import { CancelContext, type CancelCallback, CrdtCommandContext, CrdtStateHolder, StateChangeContext, type StateChangeCallback } from "./crdt-context.js";
import type { CrdtEntity } from "./crdt-entity.js";
import { crdtFromState } from "./crdt-from-state.js";

type Out = proto.CrdtStreamOut;
type CommandHandler = (request: unknown, ctx: CrdtCommandContext<unknown>) => unknown;

/** A streamed command whose caller is still listening. */
interface OpenStream {
  readonly commandId: bigint;
  readonly metadata: Metadata;
  readonly responseCodec: Codec<unknown>;
  readonly onStateChange: StateChangeCallback<unknown> | undefined;
  readonly onCancel: CancelCallback | undefined;
}

/**
 * One CRDT entity on one stream: holds the value, applies the proxy's states
 * and deltas, answers commands with state actions, and drives streamed
 * commands' change and cancel callbacks (spec/crdt.md).
 */
export class CrdtEntityHandler {
  private value: Crdt | undefined;
  private readonly streams: OpenStream[] = [];
  private finished = false;

  constructor(
    private readonly entity: CrdtEntity,
    private readonly anySupport: AnySupport,
    private readonly logger: Logger,
    readonly entityId: string,
    state: proto.CrdtState | undefined,
    private readonly send: (out: Out) => void,
  ) {
    this.value = state === undefined ? undefined : this.fromState(state);
  }

  /** The proxy replaced the value (CRDT-20). */
  replaceState(state: proto.CrdtState): void {
    const next = this.fromState(state);
    if (this.value !== undefined && next.type !== this.value.type) {
      throw new ProtocolViolation(`CRDT-21: a ${next.type} state cannot replace a ${this.value.type}`);
    }
    this.value = next;
    this.notifyChange();
  }

  /** The proxy applied a change made elsewhere (CRDT-20, CRDT-21). */
  applyDelta(delta: proto.CrdtDelta): void {
    if (this.value === undefined) throw new ProtocolViolation("CRDT-21: a delta arrived while the entity has no value");
    try {
      this.value.applyDelta(delta);
    } catch (error) {
      throw new ProtocolViolation(errorMessage(error));
    }
    this.notifyChange();
  }

  /** The entity was deleted elsewhere (CRDT-97): drop everything and stay silent. */
  deleted(): void {
    this.value = undefined;
    this.streams.length = 0;
    this.finished = true;
  }

  async handleCommand(command: cloudstate.Command): Promise<void> {
    if (this.finished) return;
    if (command.entityId !== this.entityId) {
      throw new ProtocolViolation(`command ${command.id} is for entity ${command.entityId}, stream is for ${this.entityId}`);
    }
    const resolved = resolveHandler(this.entity.options.service, this.entity.options.commands as Record<string, CommandHandler | undefined>, command.name);
    if (resolved === undefined) return this.sendFailure(command.id, `unknown command ${command.name} for ${this.entity.serviceName}`, false);
    const { method, handler } = resolved;
    let request: unknown;
    try {
      // A payload of another type is as undecodable as garbage bytes (CMD-36, ERR-39).
      request = decodeRequest(method, command.payload);
    } catch (error) {
      return this.sendFailure(command.id, `cannot decode ${command.name} request: ${errorMessage(error)}`, false);
    }
    const before = this.value?.toState();
    const holder = new CrdtStateHolder(this.value, { value: proto.CrdtWriteConsistency.LOCAL });
    const metadata = Metadata.fromProtocol(command.metadata);
    const ctx = new CrdtCommandContext<unknown>(this.anySupport, metadata, this.entityId, command.id, command.name, command.streamed, holder);
    let outcome: Outcome<unknown>;
    try {
      outcome = toOutcome(await handler(request, ctx));
    } catch (error) {
      this.logger.error("command handler failed", { service: this.entity.serviceName, command: command.name, error: errorMessage(error) });
      this.restore(before);
      return this.sendFailure(command.id, `${command.name} failed: ${errorMessage(error)}`, false);
    }
    const { stateChange, cancel } = ctx.callbacks;
    const accepted = command.streamed && (stateChange !== undefined || cancel !== undefined);
    // A non-streamed command always answers the caller (CRDT-28).
    if (outcome.kind === "noReply" && !accepted) outcome = failureOutcome(`${command.name} gave no reply`);
    if (outcome.kind === "failure") {
      // A failed command changes nothing (CRDT-27): put the agreed value back.
      this.restore(before);
      return this.sendFailure(command.id, outcome.description, false);
    }
    const stateAction = holder.stateAction();
    this.value = holder.value;
    const responseCodec = toCodec<unknown>(method.responseType);
    this.send({
      message: {
        $case: "reply",
        value: {
          commandId: command.id,
          clientAction: toClientAction(outcome, command.id, responseCodec, this.anySupport),
          sideEffects: ctx.takeSideEffects(),
          stateAction,
          streamed: accepted,
        },
      },
    });
    if (holder.isDeleted) {
      // Nothing more may be sent on this stream (CRDT-90).
      this.deleted();
      return;
    }
    if (accepted) this.streams.push({ commandId: command.id, metadata, responseCodec, onStateChange: stateChange, onCancel: cancel });
    if (stateAction !== undefined) this.notifyChange();
  }

  /** The caller of a streamed command went away (CRDT-82, CRDT-83). */
  cancelled(commandId: bigint): void {
    if (this.finished) return;
    const index = this.streams.findIndex((s) => s.commandId === commandId);
    if (index === -1) return;
    const [stream] = this.streams.splice(index, 1);
    if (stream === undefined) return;
    const before = this.value?.toState();
    const holder = new CrdtStateHolder(this.value, { value: proto.CrdtWriteConsistency.LOCAL });
    const ctx = new CancelContext(this.anySupport, stream.metadata, this.entityId, commandId, holder);
    try {
      stream.onCancel?.(ctx);
    } catch (error) {
      this.logger.error("cancel handler failed", { service: this.entity.serviceName, error: errorMessage(error) });
      this.restore(before);
      this.send({ message: { $case: "streamCancelledResponse", value: { commandId, sideEffects: [], stateAction: undefined } } });
      return;
    }
    const stateAction = holder.stateAction();
    this.value = holder.value;
    this.send({ message: { $case: "streamCancelledResponse", value: { commandId, sideEffects: ctx.takeSideEffects(), stateAction } } });
    if (holder.isDeleted) this.deleted();
    else if (stateAction !== undefined) this.notifyChange();
  }

  /** Runs every open stream's change callback, in acceptance order, and sends what they produce (CRDT-88). */
  private notifyChange(): void {
    for (const stream of [...this.streams]) {
      if (stream.onStateChange === undefined) continue;
      const ctx = new StateChangeContext<unknown>(this.anySupport, stream.metadata, this.entityId, stream.commandId);
      let result: unknown;
      try {
        result = stream.onStateChange(this.value, ctx);
      } catch (error) {
        this.logger.error("state change handler failed", { service: this.entity.serviceName, error: errorMessage(error) });
        result = failureOutcome(`stream ${stream.commandId} failed: ${errorMessage(error)}`);
      }
      const outcome = result === undefined ? undefined : isOutcome(result) ? result : toOutcome(result);
      const sideEffects = ctx.takeSideEffects();
      const ends = ctx.isEnded || outcome?.kind === "failure";
      if (outcome === undefined && sideEffects.length === 0 && !ends) continue;
      this.send({
        message: {
          $case: "streamedMessage",
          value: {
            commandId: stream.commandId,
            clientAction: outcome === undefined ? undefined : toClientAction(outcome, stream.commandId, stream.responseCodec, this.anySupport),
            sideEffects,
            endStream: ctx.isEnded,
          },
        },
      });
      // Nothing more for a stream that ended or failed (CRDT-79).
      if (ends) this.streams.splice(this.streams.indexOf(stream), 1);
    }
  }

  private restore(before: proto.CrdtState | undefined): void {
    this.value = before === undefined ? undefined : this.fromState(before);
  }

  private sendFailure(commandId: bigint, description: string, restart: boolean): void {
    this.send({
      message: {
        $case: "reply",
        value: {
          commandId,
          clientAction: { action: { $case: "failure", value: { commandId, description, restart } } },
          sideEffects: [],
          stateAction: undefined,
          streamed: false,
        },
      },
    });
  }

  private fromState(state: proto.CrdtState): Crdt {
    try {
      return crdtFromState(state, this.anySupport);
    } catch (error) {
      throw new ProtocolViolation(errorMessage(error));
    }
  }
}
