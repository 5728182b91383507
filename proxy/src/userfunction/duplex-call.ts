// One bidirectional gRPC call on an HTTP/2 stream, without grpc-js. The proxy's entity streams
// carry one protocol message per command and, on recovery, one per stored event. grpc-js hands
// the HTTP/2 stream one message at a time and waits for each to reach the socket before the next
// (its call layers keep a single message outstanding), so a replay of 10,000 events cost 10,000
// event-loop turns and socket writes on both sides (docs/performance.md). Here every message goes
// to the HTTP/2 stream at once: what is written in one turn leaves in one socket write, however
// many entities wrote. Status rules follow grpc/grpc doc/PROTOCOL-HTTP2.md and grpc-js.

import { EventEmitter } from "node:events";
import { type ClientHttp2Stream, constants, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from "node:http2";
import { status } from "@grpc/grpc-js";
import { FRAME_HEADER_BYTES, FrameError, frameMessage, frameMessages, GrpcFrameDecoder } from "./grpc-frame-decoder.js";

/** How a call ended. */
export interface CallStatus {
  readonly code: status;
  readonly details: string;
}

/** Messages above this size are written as prefix and message, rather than copied into one frame. */
const COPY_LIMIT_BYTES = 16 * 1024;

/** The largest message {@link DuplexCall.writeBatch} takes: larger ones are written alone, without a copy. */
export const BATCH_MESSAGE_LIMIT_BYTES = COPY_LIMIT_BYTES;

/**
 * The client side of a bidirectional call. Events: `data` (one message, a Buffer), `drain` (write
 * may go on after write() returned false), `status` (exactly once, after every message; a
 * CallStatus) and then `close`. It never emits `error`: every failure ends in a status.
 */
export class DuplexCall extends EventEmitter {
  private readonly decoder: GrpcFrameDecoder;
  private httpStatus: number | undefined;
  private finalStatus: CallStatus | undefined;
  private readsClosed = false;
  private statusSent = false;
  private halfClosed = false;
  private cancelled = false;
  /** An error of the HTTP/2 stream (not a RST_STREAM from the server), for the status. */
  private streamError: (Error & { code?: string }) | undefined;

  /** @param stream the call's HTTP/2 stream; undefined for a call that fails before it starts (see {@link DuplexCall.failed}) */
  constructor(
    private readonly stream: ClientHttp2Stream | undefined,
    maxMessageBytes: number,
  ) {
    super();
    this.decoder = new GrpcFrameDecoder(maxMessageBytes);
    if (stream === undefined) return;
    stream.on("response", (headers: IncomingHttpHeaders & IncomingHttpStatusHeader, flags: number) => {
      this.httpStatus = headers[":status"];
      // Trailers-Only: a response of headers alone carries the status.
      if (flags & constants.NGHTTP2_FLAG_END_STREAM) this.onTrailers(headers);
    });
    stream.on("trailers", (headers: IncomingHttpHeaders) => this.onTrailers(headers));
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("end", () => {
      this.readsClosed = true;
      this.maybeSendStatus();
    });
    stream.on("drain", () => this.emit("drain"));
    stream.on("error", (error: Error & { code?: string }) => {
      if (error.code !== "ERR_HTTP2_STREAM_ERROR") this.streamError = error;
    });
    // After any 'error' of the same moment, as grpc-js does, so the status can name it.
    stream.on("close", () => process.nextTick(() => this.onClose()));
  }

  /** A call that could not start: it ends with `final` as soon as its listeners are attached (next tick). */
  static failed(final: CallStatus): DuplexCall {
    const call = new DuplexCall(undefined, 0);
    call.finalStatus = final;
    process.nextTick(() => call.maybeSendStatus());
    return call;
  }

  /**
   * Sends one message. Returns false when the stream's buffer is full: write on after `drain`.
   * Messages written after the call ended or was half-closed are dropped.
   */
  write(message: Uint8Array): boolean {
    const stream = this.stream;
    if (stream === undefined || this.finalStatus !== undefined || this.halfClosed || stream.destroyed) return true;
    if (message.length <= COPY_LIMIT_BYTES) return stream.write(frameMessage(message));
    const prefix = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    prefix[0] = 0;
    prefix.writeUInt32BE(message.length, 1);
    stream.write(prefix);
    return stream.write(message);
  }

  /**
   * Sends several small messages (each at most {@link BATCH_MESSAGE_LIMIT_BYTES}) as one write of
   * the HTTP/2 stream, which costs about what one write() costs: a replay's thousands of events
   * then take a few dozen writes. Same return value and dropping rules as write().
   */
  writeBatch(messages: readonly Uint8Array[]): boolean {
    const stream = this.stream;
    if (stream === undefined || this.finalStatus !== undefined || this.halfClosed || stream.destroyed) return true;
    return stream.write(frameMessages(messages));
  }

  /** Half-closes the call: the server sees the end of the client's messages. */
  end(): void {
    if (this.halfClosed) return;
    this.halfClosed = true;
    if (this.stream?.destroyed === false) this.stream.end();
  }

  /** Abandons the call: the server's stream is reset; the status is CANCELLED unless it had ended. */
  cancel(): void {
    this.cancelWithStatus({ code: status.CANCELLED, details: "Cancelled on client" });
  }

  /** The connection under the call is gone (closed or failed). */
  connectionLost(reason: string): void {
    this.cancelWithStatus({ code: status.UNAVAILABLE, details: reason });
  }

  private cancelWithStatus(final: CallStatus): void {
    this.cancelled = true;
    this.finalStatus ??= final;
    if (this.stream?.destroyed === false) this.stream.close(constants.NGHTTP2_CANCEL);
    this.maybeSendStatus();
  }

  private onData(chunk: Buffer): void {
    if (this.finalStatus !== undefined) return;
    let messages: Buffer[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      const tooLarge = error instanceof FrameError && error.tooLarge;
      // A server that answered with an HTTP error may send a page that misparses: its status says more.
      const mapped = this.httpStatus !== undefined && this.httpStatus !== 200 ? fromHttpStatus(this.httpStatus) : undefined;
      this.cancelWithStatus(mapped ?? { code: tooLarge ? status.RESOURCE_EXHAUSTED : status.INTERNAL, details: error instanceof Error ? error.message : String(error) });
      return;
    }
    for (const message of messages) this.emit("data", message);
  }

  private onTrailers(headers: IncomingHttpHeaders): void {
    if (this.finalStatus !== undefined) return;
    const code = grpcStatus(headerValue(headers["grpc-status"]));
    if (code === undefined) {
      this.finalStatus =
        this.httpStatus !== undefined && this.httpStatus !== 200 ? fromHttpStatus(this.httpStatus) : { code: status.UNKNOWN, details: "No status received" };
    } else if (code === status.OK && !this.decoder.atBoundary) {
      this.finalStatus = { code: status.INTERNAL, details: "the stream ended in the middle of a message" };
    } else {
      this.finalStatus = { code, details: decodeMessage(headerValue(headers["grpc-message"]) ?? "") };
    }
    this.maybeSendStatus();
  }

  private onClose(): void {
    this.readsClosed = true;
    if (this.finalStatus === undefined) this.finalStatus = this.closedWithoutStatus();
    this.maybeSendStatus();
  }

  /** The status of a stream that closed before trailers (grpc-js's mapping of RST_STREAM codes). */
  private closedWithoutStatus(): CallStatus {
    const rstCode = this.stream?.rstCode ?? constants.NGHTTP2_NO_ERROR;
    switch (rstCode) {
      case constants.NGHTTP2_NO_ERROR:
        return this.httpStatus !== undefined && this.httpStatus !== 200
          ? fromHttpStatus(this.httpStatus)
          : { code: status.INTERNAL, details: `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)` };
      case constants.NGHTTP2_REFUSED_STREAM:
        return { code: status.UNAVAILABLE, details: "Stream refused by server" };
      case constants.NGHTTP2_CANCEL:
        // Node reports a dropped connection as CANCEL too; only cancel() means the client cancelled.
        return this.cancelled ? { code: status.CANCELLED, details: "Call cancelled" } : { code: status.UNAVAILABLE, details: "Connection dropped" };
      case constants.NGHTTP2_ENHANCE_YOUR_CALM:
        return { code: status.RESOURCE_EXHAUSTED, details: "Bandwidth exhausted or memory limit exceeded" };
      case constants.NGHTTP2_INADEQUATE_SECURITY:
        return { code: status.PERMISSION_DENIED, details: "Protocol not secure enough" };
      default: {
        const error = this.streamError;
        if (error?.code === "ECONNRESET" || error?.code === "ETIMEDOUT") return { code: status.UNAVAILABLE, details: error.message };
        return { code: status.INTERNAL, details: `Received RST_STREAM with code ${rstCode}${error === undefined ? "" : `: ${error.message}`}` };
      }
    }
  }

  /** Sends the status once it is known and, for OK, once every message was read. */
  private maybeSendStatus(): void {
    const final = this.finalStatus;
    if (this.statusSent || final === undefined) return;
    if (final.code === status.OK && !this.readsClosed) return;
    this.statusSent = true;
    this.emit("status", final);
    this.emit("close");
  }
}

/** A grpc-status header's code; undefined when absent or not a status code. */
function grpcStatus(text: string | undefined): status | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return STATUS_CODES.get(Number(text));
}

/** Every gRPC status code by its number. */
const STATUS_CODES = new Map(
  Object.values(status)
    .filter((value): value is status => typeof value === "number")
    .map((code) => [code as number, code]),
);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md); a malformed one is shown as it came. */
function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The status of an HTTP response that is not a gRPC one (grpc/grpc doc/http-grpc-status-mapping.md). */
function fromHttpStatus(code: number): CallStatus {
  const details = `Received HTTP status code ${code}`;
  switch (code) {
    case 400:
      return { code: status.INTERNAL, details };
    case 401:
      return { code: status.UNAUTHENTICATED, details };
    case 403:
      return { code: status.PERMISSION_DENIED, details };
    case 404:
      return { code: status.UNIMPLEMENTED, details };
    case 429:
    case 502:
    case 503:
    case 504:
      return { code: status.UNAVAILABLE, details };
    default:
      return { code: status.UNKNOWN, details };
  }
}
