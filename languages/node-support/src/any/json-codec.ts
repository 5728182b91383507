import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Codec } from "./codec.js";

/** Type URL prefix of JSON values (spec/payloads.md). */
export const JSON_PREFIX = "json.cloudstate.io/";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A JSON value named `name`: the UTF-8 JSON text in field 1 (bytes) of the Any's value.
 * `JSON.parse` gives the value back untyped; the `T` is the caller's promise.
 */
export function jsonCodec<T = unknown>(name: string): Codec<T> {
  return {
    typeUrl: JSON_PREFIX + name,
    encode(value) {
      const writer = new BinaryWriter();
      writer.tag(1, WireType.LengthDelimited).bytes(encoder.encode(canonicalJson(value)));
      return writer.finish();
    },
    decode(bytes) {
      return decodeJsonPayload(bytes) as T;
    },
  };
}

export function decodeJsonPayload(bytes: Uint8Array): unknown {
  const reader = new BinaryReader(bytes);
  let text: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [field, type] = reader.tag();
    if (field === 1 && type === WireType.LengthDelimited) text = reader.bytes();
    else reader.skip(type, field);
  }
  if (text === undefined) throw new Error("JSON payload has no field 1 (bytes)");
  return JSON.parse(decoder.decode(text));
}

/**
 * JSON text with object members in lexicographic order, so that equal values
 * give equal bytes (spec/payloads.md ANY-16: JSON values used as CRDT elements
 * or keys are compared by their bytes).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
