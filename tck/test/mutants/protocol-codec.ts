// Decoding and re-encoding relayed messages with @cloudstate/protocol's
// ts-proto types, for the mutations that must look inside them.
import type { Any } from "@cloudstate/protocol";

/** The part of a ts-proto message type the harness needs. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** The message, or undefined when the bytes do not decode (the TCK sends garbage on purpose in some cases). */
export function decodeOrUndefined<T>(codec: MessageCodec<T>, bytes: Uint8Array): T | undefined {
  try {
    return codec.decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeMessage<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  return codec.encode(message).finish();
}

/** Packs a message as the support library does: `type.googleapis.com/<full name>`. */
export function packAny<T>(typeName: string, codec: MessageCodec<T>, message: T): Any {
  return { typeUrl: `type.googleapis.com/${typeName}`, value: encodeMessage(codec, message) };
}

/** The message packed in `any` when its type url names `typeName`, else undefined. */
export function unpackAny<T>(any: Any | undefined, typeName: string, codec: MessageCodec<T>): T | undefined {
  if (any?.typeUrl.endsWith(`/${typeName}`) !== true) return undefined;
  return decodeOrUndefined(codec, any.value);
}

/**
 * A fromModel hook that decodes each message, lets `rewrite` change it, and
 * sends what it returns (an empty list drops the message). Messages that do
 * not decode, or that `rewrite` returns unchanged (the same object), are
 * relayed as the original bytes.
 */
export function rewriteEach<T>(codec: MessageCodec<T>, rewrite: (message: T) => readonly T[]): (bytes: Uint8Array, send: (bytes: Uint8Array) => void) => void {
  return (bytes, send) => {
    const message = decodeOrUndefined(codec, bytes);
    if (message === undefined) {
      send(bytes);
      return;
    }
    for (const out of rewrite(message)) send(out === message ? bytes : encodeMessage(codec, out));
  };
}
