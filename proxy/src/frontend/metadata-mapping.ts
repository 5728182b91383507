import type { cloudstate } from "@cloudstate/protocol";
import { Metadata } from "@grpc/grpc-js";

/** Headers that belong to HTTP/2 and gRPC themselves, never passed to the user function (spec/metadata.md). */
function isReserved(key: string): boolean {
  return key.startsWith(":") || key.startsWith("grpc-") || key === "content-type" || key === "te";
}

const VALID_KEY = /^[0-9a-z_.-]+$/;

/** gRPC request headers as protocol metadata: lower-case keys, order kept, "-bin" values as bytes (META). */
export function toProtocolMetadata(metadata: Metadata): cloudstate.Metadata | undefined {
  const entries: cloudstate.MetadataEntry[] = [];
  for (const key of Object.keys(metadata.getMap())) {
    if (isReserved(key)) continue;
    for (const value of metadata.get(key)) {
      entries.push({
        key,
        value: typeof value === "string" ? { $case: "stringValue", value } : { $case: "bytesValue", value: new Uint8Array(value) },
      });
    }
  }
  return entries.length === 0 ? undefined : { entries };
}

/**
 * Protocol metadata as gRPC headers. Reserved or invalid keys, and binary values
 * on keys without "-bin", cannot travel and are dropped (META-9..12); `dropped`
 * lists them so the caller can report them.
 */
export function toGrpcMetadata(metadata: cloudstate.Metadata | undefined): { metadata: Metadata; dropped: string[] } {
  const result = new Metadata();
  const dropped: string[] = [];
  for (const entry of metadata?.entries ?? []) {
    const key = entry.key.toLowerCase();
    const value = entry.value;
    if (value === undefined || isReserved(key) || !VALID_KEY.test(key)) {
      dropped.push(entry.key);
      continue;
    }
    if (key.endsWith("-bin")) {
      result.add(key, Buffer.from(value.$case === "bytesValue" ? value.value : Buffer.from(value.value)));
    } else if (value.$case === "stringValue") {
      result.add(key, value.value);
    } else dropped.push(entry.key);
  }
  return { metadata: result, dropped };
}
