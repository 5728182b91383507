import type { Any } from "@cloudstate/protocol";

/**
 * The identity of a set element or map key: its type URL and value bytes
 * (spec/payloads.md ANY-15). The proxy never decodes elements; it keeps each
 * `Any` as received (ANY-12).
 */
export function anyKey(any: Any): string {
  return `${any.typeUrl}\0${Buffer.from(any.value).toString("hex")}`;
}

/** Compares two strings by code units, for sorting. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
