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

export const primitives = {
  string: primitive<string>("string", (v) => v === "", (w, v) => w.string(v), (r) => r.string(), "", LENGTH_DELIMITED),
  bytes: primitive<Uint8Array>("bytes", (v) => v.length === 0, (w, v) => w.bytes(v), (r) => r.bytes(), new Uint8Array(0), LENGTH_DELIMITED),
  int32: primitive<number>("int32", (v) => v === 0, (w, v) => w.int32(v), (r) => r.int32(), 0, VARINT),
  int64: primitive<bigint>("int64", (v) => v === 0n, (w, v) => w.int64(v), (r) => BigInt(r.int64().toString()), 0n, VARINT),
  float: primitive<number>("float", (v) => v === 0 && !Object.is(v, -0), (w, v) => w.float(v), (r) => r.float(), 0, FIXED32),
  double: primitive<number>("double", (v) => v === 0 && !Object.is(v, -0), (w, v) => w.double(v), (r) => r.double(), 0, FIXED64),
  bool: primitive<boolean>("bool", (v) => !v, (w, v) => w.bool(v), (r) => r.bool(), false, VARINT),
} as const;

export type PrimitiveKind = keyof typeof primitives;

/** The primitive codec for a type URL, if it names one. */
export function primitiveCodecFor(typeUrl: string): Codec<unknown> | undefined {
  if (!typeUrl.startsWith(PRIMITIVE_PREFIX)) return undefined;
  const kind = typeUrl.slice(PRIMITIVE_PREFIX.length);
  return Object.hasOwn(primitives, kind) ? (primitives[kind as PrimitiveKind]) : undefined;
}
