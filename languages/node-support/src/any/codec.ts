/**
 * How one type of value travels inside a `google.protobuf.Any` (spec/payloads.md):
 * its type URL, and its encoding as the Any's `value` bytes.
 */
export interface Codec<T> {
  /** The full type URL, e.g. `type.googleapis.com/com.example.ItemAdded` or `p.cloudstate.io/string`. */
  readonly typeUrl: string;
  /** The Any's `value` bytes for a value; equal values must give equal bytes where they are CRDT elements or keys (ANY-14). */
  encode(value: T): Uint8Array;
  /** The value encoded in an Any's `value` bytes; throws when the bytes cannot be decoded. */
  decode(bytes: Uint8Array): T;
}

/** The type name of a type URL: everything after its last `/` (spec/payloads.md). */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}

/** The part of a type URL before its type name, including the final `/`. */
export function typeUrlPrefixOf(typeUrl: string): string {
  return typeUrl.slice(0, typeUrl.lastIndexOf("/") + 1);
}
