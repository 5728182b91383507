import type { Any } from "@cloudstate/protocol";
import { type Codec, typeNameOf } from "./codec.js";
import { JSON_PREFIX } from "./json-codec.js";
import type { MessageType } from "./message-codec.js";
import { PRIMITIVE_PREFIX } from "./primitives.js";

/** Full name of `google.protobuf.Any`: methods typed with it take and give the Any itself (spec/payloads.md §7). */
export const ANY_TYPE_NAME = "google.protobuf.Any";

/** Thrown when a command payload is not of the method's input type or cannot be decoded as it. */
export class PayloadDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadDecodeError";
  }
}

/** True for a message type or codec that stands for `google.protobuf.Any`. */
export function isAnyType(type: MessageType<unknown> | Codec<unknown>): boolean {
  if ("typeUrl" in type) return typeNameOf(type.typeUrl) === ANY_TYPE_NAME;
  return type.$type === ANY_TYPE_NAME;
}

/** True when `value` has the shape of a decoded `google.protobuf.Any`. */
export function isAnyValue(value: unknown): value is Any {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<Any>).typeUrl === "string" &&
    (value as Partial<Any>).value instanceof Uint8Array
  );
}

/**
 * The request a handler receives for a command payload, decoded as the
 * method's input type `type`.
 *
 * - For input type `google.protobuf.Any`, the payload itself, whatever it
 *   names (ANY-24, ANY-23): never its `value` decoded as another Any.
 * - Otherwise the payload's type name (after the last `/`, whatever the prefix:
 *   ANY-2, ANY-3) must be the input type's full name, and its bytes must decode;
 *   anything else is undecodable (CMD-36, CMD-40, ERR-39).
 * - An absent payload is the empty message (ANY-27 is the proxy's counterpart).
 */
export function decodeMethodPayload<T>(type: MessageType<T>, payload: Any | undefined): T {
  if (type.$type === ANY_TYPE_NAME) {
    // T is google.protobuf.Any here; the cast only restates that.
    return (payload ?? { typeUrl: "", value: new Uint8Array(0) }) as T;
  }
  if (payload === undefined) return type.decode(new Uint8Array(0));
  const expected = type.$type;
  if (expected !== undefined && expected !== "") {
    const reserved = payload.typeUrl.startsWith(PRIMITIVE_PREFIX) || payload.typeUrl.startsWith(JSON_PREFIX);
    if (reserved || typeNameOf(payload.typeUrl) !== expected) {
      throw new PayloadDecodeError(`payload of type ${payload.typeUrl || "(none)"} is not a ${expected}`);
    }
  }
  try {
    return type.decode(payload.value);
  } catch (error) {
    throw new PayloadDecodeError(`payload is not a valid ${expected ?? "message"}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
