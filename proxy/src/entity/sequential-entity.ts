import type { cloudstate } from "@cloudstate/protocol";
import type { MethodSpec } from "../discovery/user-spec.js";
import { clientActionProblem, sideEffectsProblem } from "../effects/answer-validation.js";
import { status } from "@grpc/grpc-js";
import { type CallError, fail, type ResponseStream, unavailable, userFailure, violation } from "../routing/call-result.js";
import { type Answer, NOTHING_AFTER, type RoutedCall } from "../routing/service-handler.js";
import { ConcurrencyError, StoreUnavailableError } from "../store/store.js";
import { BATCH_MESSAGE_LIMIT_BYTES, type CallStatus, type DuplexCall } from "../userfunction/duplex-call.js";
import { encodeCommandMessage } from "./command-message.js";
import type { EntityContext } from "./entity-context.js";

/** A command waiting for, or being handled by, the entity. */
export interface PendingCommand {
  readonly call: RoutedCall;
  readonly started: number;
  /** Wall-clock time it was queued (Date.now()), for the queue timeout (FO-4). */
  readonly enqueuedAt: number;
  /** For a streamed command (CRDT server streaming): where its messages go. */
  readonly out?: ResponseStream;
  resolve(answer: Answer): void;
}

/** The command the user function is handling. */
export interface InFlight {
  readonly id: bigint;
  readonly pending: PendingCommand;
  readonly timer: NodeJS.Timeout;
}

/** What a starting entity sends before its first command: its init message, then any replayed events. */
export interface StartMessages {
  /** How many of the messages are replayed events (for the replay metric). */
  readonly replayed: number;
  /** The messages, encoded, in order. Iterated as they are written, so a long replay is encoded as the stream takes it. */
  readonly encoded: Iterable<Buffer>;
}

/** Bytes of start messages (init and replayed events) sent in one write of the stream. */
const START_BATCH_BYTES = 64 * 1024;

/** A reply the entity could not accept: answered INTERNAL, reported, and the entity restarted. */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

type Phase = "idle" | "starting" | "ready" | "busy" | "passivating" | "closed";

/**
 * One event-sourced or value entity: a stream to the user function, a FIFO
 * queue of commands with one in flight (CMD-7, CMD-8), restarts, command
 * timeouts and passivation. Subclasses say how to initialise the stream and
 * what to do with an answer.
 *
 * Every message from the user function is handled in arrival order, one at a
 * time, so persisting an answer never races the next one.
 */
export abstract class SequentialEntity<In, Out> {
  private phase: Phase = "idle";
  private readonly queue: PendingCommand[] = [];
  protected inFlight: InFlight | undefined;
  private stream: DuplexCall | undefined;
  private nextId = 1n;
  private passivationTimer: NodeJS.Timeout | undefined;
  private processing: Promise<void> = Promise.resolve();
  private halfClosed = false;
  /** Bumped whenever the entity gives up or replaces its stream, so stale async work can tell. */
  private generation = 0;
  /** Ends a wait for the stream to drain (see writeAll) when the stream is given up. */
  private stopWaiting: (() => void) | undefined;

  constructor(
    protected readonly ctx: EntityContext,
    readonly serviceName: string,
    readonly key: string,
    private readonly passivationTimeoutMs: number,
    private readonly onGone: () => void,
  ) {}

  /** The protocol stream's method path, e.g. /cloudstate.eventsourced.EventSourced/handle. */
  protected abstract readonly path: string;
  protected abstract readonly entityType: string;
  protected abstract encode(message: In): Buffer;
  protected abstract decode(bytes: Uint8Array): Out;
  /** Reads the stored state and returns the init and replay messages (may throw StoreUnavailableError). */
  protected abstract initMessages(): Promise<StartMessages>;
  /** Field number of `command` in the protocol's StreamIn message (see COMMAND_FIELD). */
  protected abstract readonly commandField: number;
  /** Handles one message of the user function; throws Violation on a protocol violation. */
  protected abstract onMessage(message: Out): Promise<void>;

  /** Queues a command (CMD-8); resolves with its answer. */
  handle(call: RoutedCall): Promise<Answer> {
    return new Promise((resolve) => {
      if (this.phase === "closed") {
        resolve({ result: unavailable(`${this.serviceName} is shutting down`), afterReply: NOTHING_AFTER });
        return;
      }
      this.queue.push({ call, started: performance.now(), enqueuedAt: Date.now(), resolve });
      this.clearPassivation();
      this.pump();
    });
  }

  /** Queues a streamed command (CMD-3): its messages go to `out`, which the subclass ends. */
  handleStream(call: RoutedCall, out: ResponseStream): void {
    if (this.phase === "closed") {
      out.end({ code: status.UNAVAILABLE, message: `${this.serviceName} is shutting down` });
      return;
    }
    this.queue.push({ call, started: performance.now(), enqueuedAt: Date.now(), out, resolve: NOTHING_AFTER });
    this.clearPassivation();
    this.pump();
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === undefined && !this.hasOpenWork();
  }

  /** Work that keeps the entity from passivating besides queued and in-flight commands (open CRDT streams). */
  protected hasOpenWork(): boolean {
    return false;
  }

  /** Called when the entity's stream is given up; `reason` is what open work must end with. */
  protected onStreamGone(_reason: CallError): void {
    // Nothing by default: sequential entities have no open work beyond the command in flight.
  }

  /** Re-evaluates passivation after open work finished. */
  protected becameIdle(): void {
    if (this.idle && this.phase === "ready") this.schedulePassivation();
  }

  /** Passivates now if idle, for shutdown; resolves when the stream is gone. */
  async shutdown(): Promise<void> {
    this.generation++;
    this.stopWaiting?.();
    this.clearPassivation();
    for (const pending of this.queue.splice(0)) pending.resolve({ result: unavailable("the proxy is shutting down"), afterReply: NOTHING_AFTER });
    const closing = new Promise<void>((resolve) => {
      const stream = this.stream;
      if (stream === undefined) return resolve();
      stream.on("close", () => resolve());
      setTimeout(resolve, 2000).unref();
    });
    this.phase = this.inFlight ? this.phase : "passivating";
    this.halfClose();
    await closing;
    this.phase = "closed";
  }

  /** Takes the command in flight off the entity; call `next()` (or `restart()`) afterwards. */
  protected finishInFlight(): PendingCommand | undefined {
    const inFlight = this.inFlight;
    if (inFlight === undefined) return undefined;
    clearTimeout(inFlight.timer);
    this.inFlight = undefined;
    if (this.phase === "busy") this.phase = "ready";
    return inFlight.pending;
  }

  /** The command an answer is for; a reply to anything else is a violation (ERR-9). */
  protected answered(commandId: bigint): InFlight {
    const inFlight = this.inFlight;
    if (inFlight === undefined || commandId !== inFlight.id) throw new Violation(`ERR-9: a reply to command ${commandId}, which is not in flight`);
    return inFlight;
  }

  /** Checks a reply's client action and side effects before anything is stored (EFF-1). */
  protected checkEffects(method: MethodSpec, action: cloudstate.ClientAction | undefined, sideEffects: readonly cloudstate.SideEffect[]): void {
    const problem = clientActionProblem(this.ctx.spec, method, action) ?? sideEffectsProblem(this.ctx.spec, sideEffects);
    if (problem) throw new Violation(problem);
  }

  /** A command answered with a failure: nothing stored, no effect performed (EFF-34, EFF-35). */
  protected commandFailed(failure: cloudstate.Failure, sideEffects: readonly cloudstate.SideEffect[]): void {
    if (sideEffects.length > 0) {
      this.ctx.reportError(`EFF-35: ${this.serviceName}/${this.key} answered a command with a failure carrying side effects; they were dropped`);
    }
    const pending = this.finishInFlight();
    if (pending) this.answer(pending, { result: userFailure(failure.description), afterReply: NOTHING_AFTER });
    // restart=true: the user function's state no longer matches storage (CMD-29).
    if (failure.restart) this.restart();
    else this.next();
  }

  /**
   * The answer's state is stored: the next command goes, and the answer's side
   * effects and client action run meanwhile (EFF-2, EFF-3), outside the stream's
   * message order, so that a forward back to this entity cannot wait on itself.
   */
  protected stored(action: cloudstate.ClientAction | undefined, sideEffects: readonly cloudstate.SideEffect[]): void {
    const pending = this.finishInFlight();
    this.next();
    if (pending === undefined) return;
    void this.ctx.effects.complete(pending.call.method, action, sideEffects, pending.call.depth).then((answer) => this.answer(pending, answer));
  }

  /** The top-level failure of the stream: the entity as a whole failed (ES-47..50, CMD-31..34). */
  protected entityFailed(failure: cloudstate.Failure): void {
    if (failure.commandId !== 0n && failure.commandId !== this.inFlight?.id) {
      throw new Violation(`ERR-12: an entity failure for command ${failure.commandId}, which is not in flight`);
    }
    this.ctx.metrics.failure(this.serviceName, this.entityType, "user_function");
    const pending = this.finishInFlight();
    if (pending) this.answer(pending, { result: userFailure(failure.description), afterReply: NOTHING_AFTER });
    this.restart();
  }

  /** Lets the next queued command go. */
  protected next(): void {
    this.pump();
  }

  /** Completes a command's caller once its answer is known, recording metrics. */
  protected answer(pending: PendingCommand, answer: Answer): void {
    this.ctx.metrics.commandCompleted(this.serviceName, this.entityType, (performance.now() - pending.started) / 1000, answer.result.ok ? status.OK : answer.result.error.code);
    if (pending.out && !answer.result.ok) pending.out.end(answer.result.error);
    pending.resolve(answer);
  }

  /** Writes a message on the entity's stream (e.g. a CRDT delta or stream cancellation). */
  protected write(message: In): void {
    this.stream?.write(this.encode(message));
  }

  /** Ends the stream so that the next command starts a new one from storage (ES-42, CMD-29). */
  protected restart(reason: CallError = { code: status.UNAVAILABLE, message: "the entity was restarted" }): void {
    const stream = this.stream;
    if (stream) this.onStreamGone(reason);
    this.stream = undefined;
    this.stopWaiting?.();
    this.nextId = 1n;
    this.halfClosed = false;
    if (stream) {
      stream.removeAllListeners("data");
      stream.removeAllListeners("status");
      stream.cancel();
    }
    if (this.phase !== "closed") this.phase = "idle";
    this.pump();
  }

  /** A protocol violation: report it, fail what is in flight with INTERNAL, restart (ERR-1, ERR-2, ERR-6). */
  protected violation(message: string): void {
    this.ctx.metrics.failure(this.serviceName, this.entityType, "protocol_violation");
    const rule = `${message} (entity ${this.serviceName}/${this.key}${this.inFlight ? `, command ${this.inFlight.id}` : ""})`;
    this.ctx.log.warn("user function protocol violation", { service: this.serviceName, entityId: this.key, violation: message });
    this.ctx.reportError(rule);
    const pending = this.finishInFlight();
    const result = violation(message);
    if (pending) this.answer(pending, { result, afterReply: NOTHING_AFTER });
    this.restart(result.ok ? undefined : result.error);
  }

  /** Ends the command in flight with an error and restarts (stream broken, timeout, store failure). */
  protected abort(error: CallError): void {
    const pending = this.finishInFlight();
    if (pending) this.answer(pending, { result: fail(error.code, error.message), afterReply: NOTHING_AFTER });
    this.restart(error);
  }

  private pump(): void {
    if (this.phase === "idle" && this.queue.length > 0) {
      void this.start();
      return;
    }
    if (this.phase !== "ready") return;
    const pending = this.queue.shift();
    if (pending === undefined) {
      if (this.idle) this.schedulePassivation();
      return;
    }
    this.send(pending);
  }

  private async start(): Promise<void> {
    this.phase = "starting";
    const generation = ++this.generation;
    let messages: StartMessages;
    const loadStarted = performance.now();
    try {
      messages = await this.initMessages();
    } catch (error) {
      // The store failed before anything was sent: the command that triggered it fails, the next one retries (ES-54).
      const pending = this.queue.shift();
      this.ctx.metrics.failure(this.serviceName, this.entityType, "store");
      if (pending) {
        const message = error instanceof StoreUnavailableError ? error.message : String(error);
        this.answer(pending, { result: unavailable(`cannot load ${this.serviceName}/${this.key}: ${message}`), afterReply: NOTHING_AFTER });
      }
      this.phase = "idle";
      this.pump();
      return;
    }
    this.ctx.metrics.replayed(this.serviceName, this.entityType, messages.replayed, (performance.now() - loadStarted) / 1000);
    // Shut down while loading: nothing more to do.
    if (generation !== this.generation) return;
    // Queued commands wait for an unreachable user function, each up to the queue timeout (FO-4, FO-15).
    if (!(await this.userFunctionReady(generation))) return;
    const stream = this.ctx.userFunction.entityStream(this.path);
    this.stream = stream;
    this.processing = Promise.resolve();
    stream.on("data", (bytes: Buffer) => this.receive(stream, bytes));
    stream.on("status", (s: CallStatus) => this.ended(stream, s.code, s.details));
    this.ctx.metrics.entityActivated(this.serviceName, this.entityType);
    if (!(await this.writeAll(stream, messages.encoded, generation))) return;
    this.phase = "ready";
    this.pump();
  }

  /**
   * Writes the start messages, in batches of about {@link START_BATCH_BYTES} (one stream write
   * each, see DuplexCall.writeBatch), waiting whenever the stream asks to (a write returned false)
   * until it drained: a long replay then holds a bounded number of encoded messages at a time
   * instead of every one of them, and the proxy's event loop serves other work in between.
   * Commands stay queued meanwhile (phase "starting"). Resolves false when the stream was given up
   * or the entity shut down while it waited.
   */
  private async writeAll(stream: DuplexCall, encoded: Iterable<Buffer>, generation: number): Promise<boolean> {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = async (): Promise<boolean> => {
      const full = batch;
      batch = [];
      batchBytes = 0;
      if (full.length === 0 || stream.writeBatch(full)) return true;
      await this.drained(stream);
      return stream === this.stream && generation === this.generation;
    };
    for (const message of encoded) {
      if (message.length > BATCH_MESSAGE_LIMIT_BYTES) {
        if (!(await flush())) return false;
        if (stream.write(message)) continue;
        await this.drained(stream);
        if (stream !== this.stream || generation !== this.generation) return false;
        continue;
      }
      batch.push(message);
      batchBytes += message.length;
      if (batchBytes >= START_BATCH_BYTES && !(await flush())) return false;
    }
    return flush();
  }

  /** Resolves once `stream` drained or ended, or the entity gave it up (see stopWaiting). */
  private drained(stream: DuplexCall): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off("drain", done);
        stream.off("close", done);
        if (this.stopWaiting === done) this.stopWaiting = undefined;
        resolve();
      };
      this.stopWaiting = done;
      stream.on("drain", done);
      stream.on("close", done);
    });
  }

  /**
   * Waits until the user function is reachable. The head of the queue gives up
   * with UNAVAILABLE when it has waited the queue timeout; the next one then
   * starts waiting on a new attempt. Returns false when no stream should open.
   */
  private async userFunctionReady(generation: number): Promise<boolean> {
    for (;;) {
      const head = this.queue[0];
      if (head === undefined) {
        this.phase = "idle";
        return false;
      }
      if (await this.ctx.userFunction.ready(head.enqueuedAt + this.ctx.queueTimeoutMs)) return generation === this.generation;
      if (generation !== this.generation) return false;
      this.queue.shift();
      this.ctx.metrics.failure(this.serviceName, this.entityType, "user_function");
      this.answer(head, { result: unavailable(`the user function is unreachable: ${this.serviceName}/${this.key} waited ${this.ctx.queueTimeoutMs} ms`), afterReply: NOTHING_AFTER });
    }
  }

  private send(pending: PendingCommand): void {
    const stream = this.stream;
    if (stream === undefined) {
      this.queue.unshift(pending);
      this.phase = "idle";
      this.pump();
      return;
    }
    const id = this.nextId++;
    const { call } = pending;
    const command: cloudstate.Command = {
      entityId: this.key,
      id,
      name: call.method.name,
      payload: call.payload,
      streamed: pending.out !== undefined,
      metadata: call.metadata,
    };
    const inFlight: InFlight = { id, pending, timer: setTimeout(() => this.timedOut(inFlight), this.ctx.commandTimeoutMs) };
    this.inFlight = inFlight;
    this.phase = "busy";
    stream.write(encodeCommandMessage(this.commandField, command));
  }

  private receive(stream: DuplexCall, bytes: Buffer): void {
    this.processing = this.processing.then(async () => {
      // Messages of a stream the entity already gave up are ignored (ERR-7).
      if (stream !== this.stream) return;
      let message: Out;
      try {
        message = this.decode(bytes);
      } catch (error) {
        this.violation(`ERR-10: undecodable message (${error instanceof Error ? error.message : String(error)})`);
        return;
      }
      try {
        await this.onMessage(message);
      } catch (error) {
        if (error instanceof Violation) this.violation(error.message);
        else if (error instanceof StoreUnavailableError || error instanceof ConcurrencyError) {
          this.ctx.metrics.failure(this.serviceName, this.entityType, "store");
          this.abort({ code: status.UNAVAILABLE, message: `the store failed: ${error.message}` });
        } else {
          this.ctx.log.error("unexpected error handling a user function message", { service: this.serviceName, entityId: this.key, error: String(error) });
          this.abort({ code: status.INTERNAL, message: "the proxy failed to handle the user function's answer" });
        }
      }
    });
  }

  private ended(stream: DuplexCall, code: status, details: string): void {
    void this.processing.then(() => {
      if (stream !== this.stream) return;
      if (this.halfClosed) {
        // Passivated (or shut down): the user function completed its side.
        this.stream = undefined;
        this.halfClosed = false;
        this.nextId = 1n;
        this.ctx.metrics.entityDeactivated(this.serviceName, this.entityType, true);
        if (this.phase === "closed") return;
        if (this.queue.length > 0) {
          this.phase = "idle";
          this.pump();
        } else {
          this.phase = "closed";
          this.onGone();
        }
        return;
      }
      this.ctx.metrics.entityDeactivated(this.serviceName, this.entityType, false);
      if (code === status.OK) {
        this.violation("ERR-13: the user function completed the entity stream before the proxy half-closed it");
        return;
      }
      // A broken stream: what was in flight has an unknown outcome and fails; queued commands wait (FO).
      this.ctx.metrics.failure(this.serviceName, this.entityType, "user_function");
      this.ctx.log.warn("entity stream broke", { service: this.serviceName, entityId: this.key, code: status[code], details });
      this.abort({ code: status.UNAVAILABLE, message: `the user function's stream for ${this.serviceName}/${this.key} broke: ${status[code]} ${details}` });
    });
  }

  /**
   * The command timer fired. It bounds the wait for the user function's answer (FO-5, FO-6), not
   * the proxy's own work on an answer received in time: while a received message is being handled
   * (its state written), the timeout waits for that to finish. Aborting in the middle would answer
   * DEADLINE_EXCEEDED for an answer that arrived, and let its write complete on a restarted entity.
   */
  private timedOut(inFlight: InFlight): void {
    void this.processing.then(() => {
      if (this.inFlight !== inFlight) return;
      this.ctx.metrics.failure(this.serviceName, this.entityType, "timeout");
      this.ctx.log.warn("command timed out", { service: this.serviceName, entityId: this.key, commandId: String(inFlight.id) });
      this.abort({ code: status.DEADLINE_EXCEEDED, message: `no answer from the user function within ${this.ctx.commandTimeoutMs} ms` });
    });
  }

  protected schedulePassivation(): void {
    this.clearPassivation();
    this.passivationTimer = setTimeout(() => this.passivate(), this.passivationTimeoutMs);
    this.passivationTimer.unref();
  }

  private clearPassivation(): void {
    if (this.passivationTimer) clearTimeout(this.passivationTimer);
    this.passivationTimer = undefined;
  }

  /** Half-closes the idle entity's stream; the entity is gone once the user function completes it (spec/passivation.md). */
  private passivate(): void {
    if (this.phase !== "ready" || !this.idle) return;
    if (this.stream === undefined) {
      this.phase = "closed";
      this.onGone();
      return;
    }
    this.phase = "passivating";
    this.halfClose();
    this.giveUpPassivatedStreamLater();
  }

  /**
   * A user function that does not complete a half-closed stream (PASS-14) must not keep the
   * commands that arrive meanwhile waiting for ever (PASS-18, FO-3): after the command timeout,
   * the proxy cancels the stream (PASS-17) and counts the entity as passivated.
   */
  private giveUpPassivatedStreamLater(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    setTimeout(() => {
      if (stream !== this.stream || !this.halfClosed) return;
      this.ctx.log.warn("the user function did not complete a passivated entity stream; cancelling it", { service: this.serviceName, entityId: this.key });
      stream.removeAllListeners("data");
      stream.removeAllListeners("status");
      stream.cancel();
      this.ended(stream, status.CANCELLED, "not completed after passivation");
    }, this.ctx.commandTimeoutMs).unref();
  }

  private halfClose(): void {
    if (this.stream === undefined || this.halfClosed) return;
    this.halfClosed = true;
    this.stream.end();
  }
}

