// Encoding protocol messages into the Buffers that grpc-js writes. A ts-proto `encode` with its
// default writer allocates a small buffer, grows it by copying, and `finish()` copies the bytes
// out again; `Buffer.from(bytes)` would then copy a third time. One writer kept for the whole
// process grows once, and the result is wrapped, not copied. Encoding is synchronous, so the
// shared writer is never used by two encodes at once.

import { BinaryWriter } from "@bufbuild/protobuf/wire";

/** What ts-proto generates for every message: `encode` into a given writer. */
export interface Encodes<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/**
 * Above this size the writer's grown buffer is dropped after use, so one large message (a big
 * snapshot) does not keep its buffer alive for the life of the process.
 */
const KEPT_WRITER_BYTES = 64 * 1024;

let writer = new BinaryWriter();

/** Encodes `message` into a Buffer of its own (a view of the one array `finish()` returns). */
export function encodeToBuffer<T>(type: Encodes<T>, message: T): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = type.encode(message, writer).finish();
  } catch (error) {
    // A failed encode (an out-of-range int64) leaves half a message and open forks behind.
    writer = new BinaryWriter();
    throw error;
  }
  if (bytes.byteLength > KEPT_WRITER_BYTES) writer = new BinaryWriter();
  return asBuffer(bytes);
}

/** A Buffer over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
