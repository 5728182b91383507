// The gRPC message framing on an HTTP/2 stream (grpc/grpc doc/PROTOCOL-HTTP2.md,
// "Length-Prefixed-Message"): a compressed flag byte, a 4-byte big-endian length, the message.
// DATA frames cut the byte stream anywhere, so a frame may span chunks and a chunk may hold many.

/** Bytes of the prefix before every message. */
export const FRAME_HEADER_BYTES = 5;

/** A byte stream that is not a valid sequence of uncompressed gRPC messages within the size limit. */
export class FrameError extends Error {
  constructor(
    message: string,
    /** True when the message was too large (RESOURCE_EXHAUSTED), false when malformed (INTERNAL). */
    readonly tooLarge: boolean,
  ) {
    super(message);
    this.name = "FrameError";
  }
}

/** Frames one message for the wire: a Buffer of prefix and message. */
export function frameMessage(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, FRAME_HEADER_BYTES);
  return frame;
}

/** Frames several messages into one buffer, in order: one write of it sends them all. */
export function frameMessages(messages: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const message of messages) size += FRAME_HEADER_BYTES + message.length;
  const frames = Buffer.allocUnsafe(size);
  let at = 0;
  for (const message of messages) {
    frames[at] = 0;
    frames.writeUInt32BE(message.length, at + 1);
    frames.set(message, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + message.length;
  }
  return frames;
}

/**
 * Splits the chunks of a stream into messages. A message that lies whole inside one chunk is
 * returned as a view of it (no copy); one that spans chunks is copied once into a buffer of its
 * exact size, so a large message arriving in many chunks costs linear time.
 */
export class GrpcFrameDecoder {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** The message being assembled across chunks, and how much of it has arrived. */
  private body: Buffer | undefined;
  private bodyFill = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** The complete messages `chunk` ends; throws FrameError (the stream is then unusable). */
  push(chunk: Buffer): Buffer[] {
    const messages: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.body !== undefined) {
        const take = Math.min(this.body.length - this.bodyFill, chunk.length - at);
        chunk.copy(this.body, this.bodyFill, at, at + take);
        this.bodyFill += take;
        at += take;
        if (this.bodyFill === this.body.length) {
          messages.push(this.body);
          this.body = undefined;
        }
        continue;
      }
      let length: number;
      if (this.headerFill === 0 && chunk.length - at >= FRAME_HEADER_BYTES) {
        length = this.checkHeader(chunk[at], chunk.readUInt32BE(at + 1));
        at += FRAME_HEADER_BYTES;
      } else {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + take);
        this.headerFill += take;
        at += take;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        this.headerFill = 0;
        length = this.checkHeader(this.header[0], this.header.readUInt32BE(1));
      }
      if (chunk.length - at >= length) {
        messages.push(chunk.subarray(at, at + length));
        at += length;
      } else {
        this.body = Buffer.allocUnsafe(length);
        this.bodyFill = 0;
      }
    }
    return messages;
  }

  /** True when no message is partly received (a stream may end only then). */
  get atBoundary(): boolean {
    return this.body === undefined && this.headerFill === 0;
  }

  private checkHeader(flag: number | undefined, length: number): number {
    if (flag !== 0) {
      throw new FrameError(flag === 1 ? "received a compressed message, but no compression was negotiated" : `invalid message flag ${flag}`, false);
    }
    if (length > this.maxMessageBytes) {
      throw new FrameError(`received a message of ${length} bytes, more than the limit of ${this.maxMessageBytes}`, true);
    }
    return length;
  }
}
