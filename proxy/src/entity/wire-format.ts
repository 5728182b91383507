// Protobuf wire-format pieces for the encoders the proxy writes by hand on its hot paths
// (event-message.ts, command-message.ts): sizes first, then one Buffer written front to back.
// Each of those encoders is tested byte for byte against ts-proto's output.

/** Wire type of length-delimited fields (strings, bytes, messages). */
export const LENGTH_DELIMITED = 2;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The one-byte tag of field `field` (1..15) with wire type `wireType`. */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Bytes of a varint holding the non-negative safe integer `value`. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes a non-negative safe integer as a varint at `pos`; returns the position after it. */
export function writeVarint(out: Buffer, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[pos++] = value;
  return pos;
}

/** Bytes of an optional length-delimited field (one-byte tag) holding `length` bytes; 0 when empty, as protobuf omits it. */
export function optionalLengthDelimitedSize(length: number): number {
  return length === 0 ? 0 : lengthDelimitedSize(length);
}

/** Bytes of a length-delimited field (one-byte tag) holding `length` bytes. */
export function lengthDelimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** An int64 field's value: a number when it is a small non-negative one, else its varint bytes. */
export type Int64Value = number | Uint8Array;

/** Prepares `value` for {@link int64Size} and {@link writeInt64}; throws RangeError outside int64. */
export function int64Value(value: bigint): Int64Value {
  if (value >= 0n && value <= MAX_SAFE) return Number(value);
  if (BigInt.asIntN(64, value) !== value) throw new RangeError(`${value} does not fit an int64`);
  // Negative values are the varint of their 64-bit two's complement (ten bytes).
  let unsigned = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (unsigned >= 0x80n) {
    bytes.push(Number(unsigned & 0x7fn) | 0x80);
    unsigned >>= 7n;
  }
  bytes.push(Number(unsigned));
  return Uint8Array.from(bytes);
}

export function int64Size(value: Int64Value): number {
  return typeof value === "number" ? varintSize(value) : value.length;
}

export function writeInt64(out: Buffer, pos: number, value: Int64Value): number {
  if (typeof value === "number") return writeVarint(out, pos, value);
  out.set(value, pos);
  return pos + value.length;
}

/** Writes a length-delimited field of `bytes` at `pos` (tag, length, bytes); returns the position after it. */
export function writeBytesField(out: Buffer, pos: number, fieldTag: number, bytes: Uint8Array): number {
  out[pos++] = fieldTag;
  pos = writeVarint(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}

/** Writes a length-delimited field of the string `text`, whose UTF-8 length is `length`; returns the position after it. */
export function writeStringField(out: Buffer, pos: number, fieldTag: number, text: string, length: number): number {
  out[pos++] = fieldTag;
  pos = writeVarint(out, pos, length);
  return pos + out.write(text, pos, length, "utf8");
}
