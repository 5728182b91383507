import type { Codec } from "./codec.js";

/** Type URL prefix of protobuf messages (spec/payloads.md). */
export const MESSAGE_PREFIX = "type.googleapis.com/";

/**
 * What a ts-proto generated message object offers. `$type` is present when the
 * code was generated with `outputTypeAnnotations=static-only` (see docs).
 */
export interface MessageType<T> {
  readonly $type?: string;
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
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
