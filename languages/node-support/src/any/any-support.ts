import type { Any } from "@cloudstate/protocol";
import { type Codec, typeNameOf } from "./codec.js";
import { decodeJsonPayload, JSON_PREFIX, jsonCodec } from "./json-codec.js";
import { type MessageType, messageCodec } from "./message-codec.js";
import { isAnyType, isAnyValue } from "./method-payload.js";
import { primitiveCodecFor, primitives } from "./primitives.js";

/** A value unpacked from an Any, with the type name it carried. */
export interface Unpacked {
  /** The type name: the part of the type URL after its last `/` (spec/payloads.md ANY-2). */
  readonly typeName: string;
  /** The type URL as the Any carried it, prefix included. */
  readonly typeUrl: string;
  /** The decoded value: a message object, a primitive (`bigint` for int64), or parsed JSON. */
  readonly value: unknown;
}

/** Thrown when an Any names a type nobody registered. */
export class UnknownTypeError extends Error {
  constructor(
    /** The type URL of the Any that could not be unpacked. */
    readonly typeUrl: string,
  ) {
    super(`no codec registered for type ${typeUrl}`);
    this.name = "UnknownTypeError";
  }
}

/** Something that can describe how to pack a value: a codec or a generated message type. */
export type CodecLike<T> = Codec<T> | MessageType<T>;

export function toCodec<T>(type: CodecLike<T>): Codec<T> {
  return "typeUrl" in type ? type : messageCodec(type);
}

/**
 * Packs and unpacks `google.protobuf.Any` following spec/payloads.md: protobuf
 * messages by registered type name (whatever the URL prefix), primitives under
 * `p.cloudstate.io/`, JSON under `json.cloudstate.io/`.
 */
export class AnySupport {
  private readonly byName = new Map<string, Codec<unknown>>();

  constructor(types: Iterable<CodecLike<unknown>> = []) {
    for (const type of types) this.register(type);
  }

  /**
   * Makes a type known to `unpack` and `codecFor`, keyed by its type name (whatever
   * its URL prefix, ANY-3); registering another codec under the same name replaces
   * the earlier one. Returns the codec (made from the message type when given one).
   */
  register<T>(type: CodecLike<T>): Codec<T> {
    const codec = toCodec(type);
    this.byName.set(typeNameOf(codec.typeUrl), codec);
    return codec;
  }

  /**
   * The codec for a type URL: for `p.cloudstate.io/` the primitive of that kind
   * (none for an unknown kind, ANY-9), otherwise the codec registered under the
   * URL's type name; undefined when there is none.
   */
  codecFor(typeUrl: string): Codec<unknown> | undefined {
    return primitiveCodecFor(typeUrl) ?? this.byName.get(typeNameOf(typeUrl));
  }

  /**
   * Packs a value with a codec. A value of type `google.protobuf.Any` is used
   * as it is, not wrapped in another Any: a reply of a method whose output type
   * is Any, or a forward to a method taking Any, carries the Any itself (ANY-25).
   */
  pack<T>(type: CodecLike<T>, value: T): Any {
    const codec = toCodec(type);
    if (isAnyType(codec)) {
      if (!isAnyValue(value)) throw new TypeError("a google.protobuf.Any value needs a string typeUrl and a Uint8Array value");
      return { typeUrl: value.typeUrl, value: value.value };
    }
    return { typeUrl: codec.typeUrl, value: codec.encode(value) };
  }

  /**
   * Decodes an Any: JSON (`json.cloudstate.io/`) is parsed without registration,
   * primitives and registered types are decoded with their codec. Throws
   * `UnknownTypeError` when no codec knows the type, or the codec's error when
   * the bytes do not decode.
   */
  unpack(any: Any): Unpacked {
    const typeName = typeNameOf(any.typeUrl);
    if (any.typeUrl.startsWith(JSON_PREFIX)) return { typeName, typeUrl: any.typeUrl, value: decodeJsonPayload(any.value) };
    const codec = this.codecFor(any.typeUrl);
    if (codec === undefined) throw new UnknownTypeError(any.typeUrl);
    return { typeName, typeUrl: any.typeUrl, value: codec.decode(any.value) };
  }

  /**
   * Packs a value whose type is implied by its JavaScript type: strings, booleans,
   * bigints (int64), numbers (double), byte arrays as primitives; anything else as
   * JSON named `object`. Used where the developer gave no codec (e.g. CRDT set
   * elements). Equal values pack to equal bytes.
   */
  packDynamic(value: unknown): Any {
    switch (typeof value) {
      case "string":
        return this.pack(primitives.string, value);
      case "boolean":
        return this.pack(primitives.bool, value);
      case "bigint":
        return this.pack(primitives.int64, value);
      case "number":
        return this.pack(primitives.double, value);
      default:
        if (value instanceof Uint8Array) return this.pack(primitives.bytes, value);
        return this.pack(jsonCodec("object"), value);
    }
  }
}
