import { type cloudstate, crdt, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { applyDeltaToView, CrdtViolation, diffViews, NoDeltaError, type ReplicatedCrdt, replicatedFromCreate } from "../crdt/index.js";
import type { EntityContext } from "../entity/entity-context.js";
import { COMMAND_FIELD } from "../entity/command-message.js";
import { encodeToBuffer } from "../entity/protocol-encoding.js";
import { deltaTypeProblem } from "./delta-type-problem.js";
import { type PendingCommand, SequentialEntity, type StartMessages, Violation } from "../entity/sequential-entity.js";
import type { CallError, ResponseStream } from "../routing/call-result.js";

type In = crdt.CrdtStreamIn;
type Out = crdt.CrdtStreamOut;

/** Where a CRDT entity's value lives between streams: the proxy keeps it (spec/crdt.md §9). */
export interface CrdtValueHolder {
  get(): ReplicatedCrdt | undefined;
  set(value: ReplicatedCrdt | undefined): void;
}

/** An accepted streamed command whose caller is listening. */
interface OpenStream {
  readonly pending: PendingCommand;
  readonly out: ResponseStream;
  cancelling: boolean;
}

const REPLICA = "proxy";
const clock = (): bigint => BigInt(Date.now());

/**
 * A CRDT entity (spec/crdt.md) on a single node: the proxy holds the
 * replicated value and applies the user function's state actions to it;
 * streamed commands stay open after their reply and receive streamed
 * messages until ended or cancelled.
 */
export class CrdtEntity extends SequentialEntity<In, Out> {
  protected readonly path = "/cloudstate.crdt.Crdt/handle";
  protected readonly entityType = EntityType.Crdt;
  protected readonly commandField = COMMAND_FIELD.crdt;
  private readonly streams = new Map<bigint, OpenStream>();
  /** The value as the user function holds it, to tell when a write of its lost (CRDT-52). */
  private agreed: crdt.CrdtState | undefined;
  private deletedOnStream = false;

  constructor(
    ctx: EntityContext,
    serviceName: string,
    key: string,
    passivationTimeoutMs: number,
    gone: () => void,
    private readonly value: CrdtValueHolder,
  ) {
    super(ctx, serviceName, key, passivationTimeoutMs, gone);
  }

  protected encode(message: In): Buffer {
    return encodeToBuffer(crdt.CrdtStreamIn, message);
  }

  protected decode(bytes: Uint8Array): Out {
    return crdt.CrdtStreamOut.decode(bytes);
  }

  protected initMessages(): Promise<StartMessages> {
    this.deletedOnStream = false;
    this.agreed = this.value.get()?.toState(REPLICA);
    const init = this.encode({ message: { $case: "init", value: { serviceName: this.serviceName, entityId: this.key, state: this.agreed } } });
    return Promise.resolve({ replayed: 0, encoded: [init] });
  }

  protected override hasOpenWork(): boolean {
    return this.streams.size > 0;
  }

  /** Open streamed calls end with the stream (ERR-2: INTERNAL after a violation; UNAVAILABLE when it broke). */
  protected override onStreamGone(reason: CallError): void {
    for (const stream of this.streams.values()) stream.out.end(reason);
    this.streams.clear();
  }

  protected async onMessage(message: Out): Promise<void> {
    if (this.deletedOnStream) throw new Violation("CRDT-90: a message after the entity was deleted");
    const m = message.message;
    switch (m?.$case) {
      case "reply":
        return this.onReply(m.value);
      case "streamedMessage":
        return this.onStreamedMessage(m.value);
      case "streamCancelledResponse":
        return this.onCancelledResponse(m.value);
      case "failure":
        return this.onFailure(m.value);
      case undefined:
        throw new Violation("ERR-10: a message with no known case");
    }
  }

  private onReply(reply: crdt.CrdtReply): Promise<void> {
    const inFlight = this.answered(reply.commandId);
    const out = inFlight.pending.out;
    const action = reply.clientAction?.action;
    if (reply.streamed && out === undefined) throw new Violation("ERR-20: streamed = true for a command that is not streamed");
    if (out === undefined && action === undefined) throw new Violation("CRDT-28: a reply to a non-streamed command without client action");
    if (action?.$case === "failure" && reply.stateAction !== undefined) throw new Violation("CRDT-27: a failure reply carries a state action");
    if (reply.streamed && action?.$case === "failure") throw new Violation("CRDT-73: a reply accepting a stream carries a failure");
    this.checkEffects(inFlight.pending.call.method, reply.clientAction, reply.sideEffects);
    if (action?.$case === "failure") {
      this.commandFailed(action.value, reply.sideEffects);
      return Promise.resolve();
    }
    const deleted = this.applyStateAction(reply.stateAction);
    const pending = this.finishInFlight();
    if (pending === undefined) return Promise.resolve();
    if (out === undefined) {
      this.next();
      void this.ctx.effects.complete(pending.call.method, reply.clientAction, reply.sideEffects, pending.call.depth).then((answer) => this.answer(pending, answer));
    } else {
      if (reply.streamed && !deleted) {
        const open: OpenStream = { pending, out, cancelling: false };
        this.streams.set(reply.commandId, open);
        out.cancelled.addEventListener("abort", () => this.cancelStream(reply.commandId));
      }
      this.next();
      void this.deliver(pending, out, reply.clientAction, reply.sideEffects, !reply.streamed || deleted);
    }
    if (deleted) this.finishDeletion();
    return Promise.resolve();
  }

  private onStreamedMessage(message: crdt.CrdtStreamedMessage): Promise<void> {
    const open = this.streams.get(message.commandId);
    if (open === undefined) throw new Violation(`ERR-21: a streamed message for command ${message.commandId}, which is not an open stream`);
    this.checkEffects(open.pending.call.method, message.clientAction, message.sideEffects);
    const ends = message.endStream || message.clientAction?.action?.$case === "failure";
    if (ends) this.streams.delete(message.commandId);
    if (open.cancelling) {
      // The caller is gone: only the side effects still happen (CRDT-85).
      this.ctx.effects.runAsync(message.sideEffects, open.pending.call.depth);
    } else void this.deliver(open.pending, open.out, message.clientAction, message.sideEffects, ends);
    if (ends) this.becameIdle();
    return Promise.resolve();
  }

  private onCancelledResponse(response: crdt.CrdtStreamCancelledResponse): Promise<void> {
    const open = this.streams.get(response.commandId);
    if (open === undefined || !open.cancelling) throw new Violation(`ERR-22: a cancelled response for command ${response.commandId}, which was not cancelled`);
    this.checkEffects(open.pending.call.method, undefined, response.sideEffects);
    this.streams.delete(response.commandId);
    const deleted = this.applyStateAction(response.stateAction);
    this.ctx.effects.runAsync(response.sideEffects, open.pending.call.depth);
    if (deleted) this.finishDeletion();
    else this.becameIdle();
    return Promise.resolve();
  }

  private onFailure(failure: cloudstate.Failure): Promise<void> {
    // A failure for an open stream finishes that stream (CRDT-79); any other is an entity failure.
    const open = failure.commandId === 0n ? undefined : this.streams.get(failure.commandId);
    if (open !== undefined) {
      this.streams.delete(failure.commandId);
      open.out.end({ code: status.UNKNOWN, message: failure.description });
      this.becameIdle();
      return Promise.resolve();
    }
    this.entityFailed(failure);
    return Promise.resolve();
  }

  /** Sends one answer's outcome to a streamed caller: sync effects, then the message, then async effects. */
  private async deliver(
    pending: PendingCommand,
    out: ResponseStream,
    action: cloudstate.ClientAction | undefined,
    sideEffects: readonly cloudstate.SideEffect[],
    endAfter: boolean,
  ): Promise<void> {
    const answer = await this.ctx.effects.complete(pending.call.method, action, sideEffects, pending.call.depth);
    const r = answer.result;
    if (!r.ok) {
      out.end(r.error);
      this.dropStream(pending);
    } else {
      if (action?.action !== undefined) out.send(r.payload, r.metadata);
      if (endAfter) out.end();
    }
    answer.afterReply();
  }

  /** The client went away: tell the user function, keep the command open until its response (CRDT-80). */
  private cancelStream(commandId: bigint): void {
    const open = this.streams.get(commandId);
    if (open === undefined || open.cancelling) return;
    open.cancelling = true;
    this.write({ message: { $case: "streamCancelled", value: { entityId: this.key, id: commandId } } });
  }

  private dropStream(pending: PendingCommand): void {
    for (const [id, open] of this.streams) if (open.pending === pending && !open.cancelling) this.cancelStream(id);
  }

  /** Applies a state action to the proxy's value (CRDT-23..26); returns whether it deleted the entity. */
  private applyStateAction(action: crdt.CrdtStateAction | undefined): boolean {
    const a = action?.action;
    if (a === undefined) return false;
    const current = this.value.get();
    try {
      switch (a.$case) {
        case "create":
          if (current !== undefined) throw new Violation("ERR-19: create while the entity has a value");
          this.value.set(replicatedFromCreate(a.value, REPLICA, clock));
          this.agreed = a.value;
          break;
        case "update": {
          if (current === undefined || this.agreed === undefined) throw new Violation("ERR-19: update while the entity has no value");
          const typeProblem = deltaTypeProblem(this.agreed, a.value);
          if (typeProblem !== undefined) throw new Violation(typeProblem);
          current.applyLocalDelta(a.value, REPLICA, clock);
          this.agreed = applyDeltaToView(this.agreed, a.value, "uf");
          this.correctLosingWrite(current);
          break;
        }
        case "delete":
          if (current === undefined) throw new Violation("ERR-19: delete while the entity has no value");
          this.value.set(undefined);
          this.agreed = undefined;
          return true;
      }
    } catch (error) {
      if (error instanceof CrdtViolation) throw new Violation(error.message);
      throw error;
    }
    return false;
  }

  /** A register write that lost to a greater clock: tell the user function the winning value (CRDT-52). */
  private correctLosingWrite(current: ReplicatedCrdt): void {
    if (this.agreed === undefined) return;
    const view = current.toState(REPLICA);
    let delta: crdt.CrdtDelta | undefined;
    try {
      delta = diffViews(this.agreed, view);
    } catch (error) {
      if (!(error instanceof NoDeltaError)) throw error;
      this.write({ message: { $case: "state", value: view } });
      this.agreed = view;
      return;
    }
    if (delta !== undefined) {
      this.write({ message: { $case: "changed", value: delta } });
      this.agreed = view;
    }
  }

  /** After a delete: open streams complete normally, and the stream ends (CRDT-90, spec/crdt.md §7). */
  private finishDeletion(): void {
    for (const open of this.streams.values()) open.out.end();
    this.streams.clear();
    this.deletedOnStream = true;
    this.restart({ code: status.OK, message: "" });
  }
}
