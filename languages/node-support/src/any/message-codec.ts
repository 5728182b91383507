import type { Codec } from "./codec.js";

/** Type URL prefix of protobuf messages (spec/payloads.md). */
export const MESSAGE_PREFIX = "type.googleapis.com/";

/**
 * What a ts-proto generated message object offers. `$type` is present when the
 * code was generated with `outputTypeAnnotations=static-only` (see docs).
 */
export interface MessageType<T> {
  /** The message's fully qualified name, e.g. `com.example.shoppingcart.Cart`; `messageCodec` builds the type URL from it. */
  readonly $type?: string;
  /** Starts the binary protobuf encoding of a message. */
  encode(message: T): {
    /** The encoded bytes. */
    finish(): Uint8Array;
  };
  /** Decodes a message from its binary protobuf encoding; throws on malformed bytes. */
  decode(input: Uint8Array): T;
  /**
   * Builds a complete message from a partial object. Declared only so that a plain
   * object with `encode` and `decode` is not mistaken for a message type; its
   * parameter is `never` so that every generated type matches, and the library never calls it.
   */
  fromPartial(object: never): T;
}

/** A codec for a generated protobuf message, named by its `$type` or by `fullName`. */
export function messageCodec<T>(type: MessageType<T>, fullName: string | undefined = type.$type): Codec<T> {
  if (fullName === undefined || fullName === "") {
    throw new Error("messageCodec needs the message's full name: generate with outputTypeAnnotations=static-only or pass it");
  }
  return {
    typeUrl: MESSAGE_PREFIX + fullName,
    encode: (value) => type.encode(value).finish(),
    decode: (bytes) => type.decode(bytes),
  };
}

export function isMessageType(value: unknown): value is MessageType<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<MessageType<unknown>>).encode === "function" &&
    typeof (value as Partial<MessageType<unknown>>).decode === "function"
  );
}
