import { type ServerDuplexStream, status } from "@grpc/grpc-js";
import type { Logger } from "../logger.js";
import { toBuffer } from "./raw-method.js";

/** Encoding of one protocol stream's messages (e.g. EventSourcedStreamIn/Out). */
export interface StreamCodec<In, Out> {
  decode(bytes: Uint8Array): In;
  encode(message: Out): Uint8Array;
  /** The stream-level failure message (command id 0 for an entity-wide failure). */
  failure(commandId: bigint, description: string, restart: boolean): Out;
}

/** Thrown by a stream's message handler when the peer broke the protocol. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolViolation";
  }
}

/**
 * Runs one entity stream: decodes incoming messages and hands them, one at a
 * time and in order, to `handle`; answers are written with `send`. When the
 * peer breaks the protocol (undecodable bytes, a message out of place, an
 * unknown message kind), the stream fails closed: a failure message with
 * command id 0, then an error status (spec/protocol-errors.md). Other streams
 * are unaffected, and nothing here ever throws out of the gRPC handler.
 */
export class EntityStream<In, Out> {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly call: ServerDuplexStream<Buffer, Buffer>,
    private readonly codec: StreamCodec<In, Out>,
    private readonly logger: Logger,
    private readonly describe: () => string,
  ) {}

  /** Starts reading; `handle` processes each message, `onEnd` runs after the peer half-closes and all messages are handled. */
  run(handle: (message: In) => Promise<void> | void, onEnd: () => void = () => undefined): void {
    this.call.on("data", (bytes: Buffer) => {
      if (this.closed) return;
      let message: In;
      try {
        message = this.codec.decode(bytes);
      } catch (error) {
        this.failStream(`undecodable message: ${errorMessage(error)}`);
        return;
      }
      this.queue = this.queue.then(async () => {
        if (this.closed) return;
        try {
          await handle(message);
        } catch (error) {
          this.failStream(error instanceof ProtocolViolation ? error.message : `unexpected error: ${errorMessage(error)}`);
        }
      });
    });
    this.call.on("end", () => {
      void this.queue.then(() => {
        if (this.closed) return;
        onEnd();
        this.end();
      });
    });
    this.call.on("error", (error) => {
      this.logger.debug("entity stream error", { entity: this.describe(), error: errorMessage(error) });
      this.closed = true;
    });
    this.call.on("cancelled", () => {
      this.closed = true;
    });
  }

  send(message: Out): void {
    if (this.closed) return;
    this.call.write(toBuffer(this.codec.encode(message)));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Completes the stream normally. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.end();
  }

  /** Fails the whole stream (spec/protocol-errors.md): failure message, then an error status. */
  failStream(description: string): void {
    if (this.closed) return;
    this.logger.warn("failing entity stream", { entity: this.describe(), reason: description });
    this.send(this.codec.failure(0n, description, false));
    this.closed = true;
    this.call.emit("error", { code: status.FAILED_PRECONDITION, details: description });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
