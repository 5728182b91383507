// The body framing of gRPC-web (spec/http.md §5): like gRPC's length-prefixed messages, with
// the trailers as one more frame, flagged 0x80, at the end of the response body. The text
// variant base64-encodes the body; a sender may encode piece by piece, so a body is a
// concatenation of base64 runs, each ending with its own padding.

import type { status } from "@grpc/grpc-js";

/** Flag bit of a frame holding trailers rather than a message. */
export const TRAILER_FLAG = 0x80;
/** Flag bit of a compressed message. */
export const COMPRESSED_FLAG = 0x01;

/** One frame of a gRPC-web body. */
export interface Frame {
  readonly flag: number;
  readonly payload: Uint8Array;
}

/** A body that is not a sequence of whole frames. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

/** Encodes one frame: flag byte, 4-byte big-endian length, payload. */
export function encodeFrame(flag: number, payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt8(flag, 0);
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return frame;
}

/** The trailer frame ending a response: `grpc-status` and `grpc-message` as HTTP/1 header lines. */
export function trailerFrame(code: status, message: string): Buffer {
  let text = `grpc-status:${code}\r\n`;
  if (message !== "") text += `grpc-message:${percentEncodeMessage(message)}\r\n`;
  return encodeFrame(TRAILER_FLAG, Buffer.from(text, "ascii"));
}

/** Splits a body into its frames; throws {@link FramingError} when it ends inside one. */
export function decodeFrames(body: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let offset = 0;
  while (offset < view.length) {
    if (offset + 5 > view.length) throw new FramingError(`the body ends inside a frame header (${view.length - offset} of 5 bytes)`);
    const flag = view.readUInt8(offset);
    const length = view.readUInt32BE(offset + 1);
    if (offset + 5 + length > view.length) throw new FramingError(`a frame announces ${length} bytes but only ${view.length - offset - 5} follow`);
    frames.push({ flag, payload: new Uint8Array(view.subarray(offset + 5, offset + 5 + length)) });
    offset += 5 + length;
  }
  return frames;
}

/** Decodes a gRPC-web-text body: base64 runs, each possibly padded, whitespace ignored. */
export function decodeBase64Body(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/=]*$/.test(compact)) throw new FramingError("the gRPC-web-text body is not base64");
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < compact.length; i++) {
    if (compact[i] !== "=") continue;
    let end = i;
    while (compact[end] === "=") end++;
    parts.push(decodeRun(compact.slice(start, end)));
    start = end;
    i = end - 1;
  }
  if (start < compact.length) parts.push(decodeRun(compact.slice(start)));
  return new Uint8Array(Buffer.concat(parts));
}

function decodeRun(run: string): Buffer {
  if (run.length % 4 !== 0) throw new FramingError("the gRPC-web-text body has a base64 run of a length that is not a multiple of 4");
  return Buffer.from(run, "base64");
}

/** Percent-encodes a status message as gRPC does: bytes outside printable ASCII, and `%`. */
export function percentEncodeMessage(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The inverse of {@link percentEncodeMessage}. */
export function percentDecodeMessage(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes).toString("utf8");
}
