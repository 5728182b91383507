import { type Client, type ClientDuplexStream, Metadata, type ServiceError, status, type StatusObject } from "@grpc/grpc-js";

export type CallKind = "unary" | "client_streaming" | "server_streaming" | "bidi_streaming";

/** The end of a call: its gRPC status. */
export interface CallEnd {
  readonly code: status;
  readonly details: string;
}

/** What a call delivers: a message, or its end. */
export type CallEvent = { kind: "message"; bytes: Uint8Array } | { kind: "end"; end: CallEnd };
type Event = CallEvent;

const passthrough = (b: Buffer) => b;

/**
 * Drives one gRPC call of any shape with raw message bytes, as a queue of
 * received events. Unary and server-streaming calls start on their first
 * `send`; the others start at once.
 */
export class CallDriver {
  private readonly events: Event[] = [];
  private waiter: (() => void) | undefined;
  private stream: ClientDuplexStream<Buffer, Buffer> | undefined;
  private started = false;
  private ended = false;
  private cancelFn: (() => void) | undefined;

  constructor(
    private readonly client: Client,
    private readonly path: string,
    readonly kind: CallKind,
    private readonly metadata: Metadata = new Metadata(),
  ) {
    if (kind === "client_streaming") this.startClientStreaming();
    if (kind === "bidi_streaming") this.startBidi();
  }

  send(bytes: Uint8Array): void {
    const message = Buffer.from(bytes);
    if (this.kind === "unary" || this.kind === "server_streaming") {
      if (this.started) throw new Error(`${this.path} is ${this.kind.replace("_", "-")}: it takes exactly one request`);
      this.started = true;
      if (this.kind === "unary") this.startUnary(message);
      else this.startServerStreaming(message);
      return;
    }
    if (this.stream === undefined) throw new Error("call not started");
    this.stream.write(message);
  }

  halfClose(): void {
    this.stream?.end();
  }

  cancel(): void {
    this.cancelFn?.();
  }

  /** The next received message; rejects with the call's end if it ends first. */
  async next(timeoutMs: number): Promise<Uint8Array> {
    const event = await this.take(timeoutMs, "a message");
    if (event.kind === "end") throw new CallEndedError(event.end);
    return event.bytes;
  }

  /** Waits for the end of the call; fails if a message arrives first. */
  async end(timeoutMs: number): Promise<CallEnd> {
    const event = await this.take(timeoutMs, "the end of the call");
    if (event.kind === "message") throw new UnexpectedMessageError(event.bytes);
    return event.end;
  }

  /** Listens for `ms`; returns what arrived, if anything, without consuming an end. */
  async silence(ms: number): Promise<Event | undefined> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const first = this.events[0];
    if (first?.kind === "message") this.events.shift();
    return first;
  }

  private async take(timeoutMs: number, what: string): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${this.path}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const event = this.events[0] as Event;
    // An end stays queued so that later waits see it too.
    if (event.kind === "message") this.events.shift();
    return event;
  }

  private push(event: Event): void {
    if (event.kind === "end") {
      if (this.ended) return;
      this.ended = true;
    }
    this.events.push(event);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private finish(error: ServiceError | StatusObject | null | undefined): void {
    this.push({ kind: "end", end: error ? { code: error.code, details: error.details } : { code: status.OK, details: "" } });
  }

  private startUnary(message: Buffer): void {
    const call = this.client.makeUnaryRequest(this.path, passthrough, passthrough, message, this.metadata, (error, response) => {
      if (!error && response) this.push({ kind: "message", bytes: response });
      this.finish(error);
    });
    this.cancelFn = () => call.cancel();
  }

  private startClientStreaming(): void {
    const call = this.client.makeClientStreamRequest(this.path, passthrough, passthrough, this.metadata, (error, response) => {
      if (!error && response) this.push({ kind: "message", bytes: response });
      this.finish(error);
    });
    this.stream = call as unknown as ClientDuplexStream<Buffer, Buffer>;
    this.cancelFn = () => call.cancel();
  }

  private startServerStreaming(message: Buffer): void {
    const call = this.client.makeServerStreamRequest(this.path, passthrough, passthrough, message, this.metadata);
    call.on("data", (bytes: Buffer) => this.push({ kind: "message", bytes }));
    call.on("error", () => undefined);
    call.on("status", (s: StatusObject) => this.finish(s.code === status.OK ? null : s));
    this.cancelFn = () => call.cancel();
  }

  private startBidi(): void {
    const call = this.client.makeBidiStreamRequest(this.path, passthrough, passthrough, this.metadata);
    call.on("data", (bytes: Buffer) => this.push({ kind: "message", bytes }));
    call.on("error", () => undefined);
    call.on("status", (s: StatusObject) => this.finish(s.code === status.OK ? null : s));
    this.stream = call;
    this.cancelFn = () => call.cancel();
  }
}

export class CallEndedError extends Error {
  constructor(readonly end: CallEnd) {
    super(`the call ended with ${status[end.code]}${end.details ? `: ${end.details}` : ""} while a message was expected`);
    this.name = "CallEndedError";
  }
}

export class UnexpectedMessageError extends Error {
  constructor(readonly bytes: Uint8Array) {
    super("a message arrived while the end of the call was expected");
    this.name = "UnexpectedMessageError";
  }
}
