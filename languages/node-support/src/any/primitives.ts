import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Codec } from "./codec.js";

/** Type URL prefix of primitive values (spec/payloads.md). */
export const PRIMITIVE_PREFIX = "p.cloudstate.io/";

/**
 * A primitive is encoded as a message whose field 1 holds the value; a default
 * value (empty, zero, false) is an empty message, as proto3 omits defaults.
 */
function primitive<T>(kind: string, isDefault: (v: T) => boolean, write: (w: BinaryWriter, v: T) => void, read: (r: BinaryReader) => T, empty: T, wireType: WireType): Codec<T> {
  return {
    typeUrl: PRIMITIVE_PREFIX + kind,
    encode(value) {
      if (isDefault(value)) return new Uint8Array(0);
      const writer = new BinaryWriter();
      writer.tag(1, wireType);
      write(writer, value);
      return writer.finish();
    },
    decode(bytes) {
      const reader = new BinaryReader(bytes);
      let value = empty;
      while (reader.pos < reader.len) {
        const [field, type] = reader.tag();
        if (field === 1 && type === wireType) value = read(reader);
        else reader.skip(type, field);
      }
      return value;
    },
  };
}

const VARINT = WireType.Varint;
const FIXED64 = WireType.Bit64;
const LENGTH_DELIMITED = WireType.LengthDelimited;
const FIXED32 = WireType.Bit32;

/**
 * Codecs of the protocol's primitive kinds (spec/payloads.md §3): type URL
 * `p.cloudstate.io/<kind>`, the value in field 1 of a message, and a default
 * value (empty, zero, false) as empty bytes (ANY-6 to ANY-8).
 */
export const primitives = {
  /** `p.cloudstate.io/string`: a string, UTF-8 encoded. */
  string: primitive<string>("string", (v) => v === "", (w, v) => w.string(v), (r) => r.string(), "", LENGTH_DELIMITED),
  /** `p.cloudstate.io/bytes`: a byte array. */
  bytes: primitive<Uint8Array>("bytes", (v) => v.length === 0, (w, v) => w.bytes(v), (r) => r.bytes(), new Uint8Array(0), LENGTH_DELIMITED),
  /** `p.cloudstate.io/int32`: a number that must be an integer in the signed 32-bit range (encoding throws otherwise). */
  int32: primitive<number>("int32", (v) => v === 0, (w, v) => w.int32(v), (r) => r.int32(), 0, VARINT),
  /** `p.cloudstate.io/int64`: a `bigint` in the signed 64-bit range; decoded as a `bigint` too. */
  int64: primitive<bigint>("int64", (v) => v === 0n, (w, v) => w.int64(v), (r) => BigInt(r.int64().toString()), 0n, VARINT),
  /** `p.cloudstate.io/float`: a number stored as a 32-bit float, so it loses precision; `-0` is kept. */
  float: primitive<number>("float", (v) => v === 0 && !Object.is(v, -0), (w, v) => w.float(v), (r) => r.float(), 0, FIXED32),
  /** `p.cloudstate.io/double`: a number, stored exactly as a 64-bit float; `-0` is kept. */
  double: primitive<number>("double", (v) => v === 0 && !Object.is(v, -0), (w, v) => w.double(v), (r) => r.double(), 0, FIXED64),
  /** `p.cloudstate.io/bool`: a boolean. */
  bool: primitive<boolean>("bool", (v) => !v, (w, v) => w.bool(v), (r) => r.bool(), false, VARINT),
} as const;

/** The name of a primitive kind: a key of `primitives`, and the last part of its type URL. */
export type PrimitiveKind = keyof typeof primitives;

/** The primitive codec for a type URL, if it names one. */
export function primitiveCodecFor(typeUrl: string): Codec<unknown> | undefined {
  if (!typeUrl.startsWith(PRIMITIVE_PREFIX)) return undefined;
  const kind = typeUrl.slice(PRIMITIVE_PREFIX.length);
  return Object.hasOwn(primitives, kind) ? (primitives[kind as PrimitiveKind]) : undefined;
}
