import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { cloudstate } from "@cloudstate/protocol";
import { toGrpcMetadata } from "../frontend/metadata-mapping.js";

/**
 * Headers that frame HTTP/1.1 or gRPC-web themselves rather than the call (spec/http.md HTTP-17),
 * beside those spec/metadata.md §4 excludes for gRPC.
 */
const HTTP_FRAMING = new Set(["host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "expect", "x-grpc-web"]);

function isExcluded(key: string): boolean {
  return key.startsWith(":") || key.startsWith("grpc-") || key === "content-type" || key === "te" || HTTP_FRAMING.has(key);
}

/**
 * The request headers of an HTTP/JSON or gRPC-web call as protocol metadata, as for a gRPC
 * call (META-13..16): lower-case keys in the order sent, `-bin` values base64-decoded.
 */
export function httpRequestMetadata(request: IncomingMessage): cloudstate.Metadata | undefined {
  const entries: cloudstate.MetadataEntry[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = (raw[i] ?? "").toLowerCase();
    const value = raw[i + 1] ?? "";
    if (isExcluded(key)) continue;
    entries.push({
      key,
      value: key.endsWith("-bin") ? { $case: "bytesValue", value: new Uint8Array(Buffer.from(value, "base64")) } : { $case: "stringValue", value },
    });
  }
  return entries.length === 0 ? undefined : { entries };
}

/**
 * Reply metadata as HTTP response headers, by the rules for gRPC response headers (META-8..11):
 * what gRPC would drop is dropped here too, and so are the headers that frame HTTP/1.1.
 * `-bin` values travel base64-encoded, as gRPC sends them.
 */
export function httpResponseHeaders(metadata: cloudstate.Metadata | undefined): { headers: OutgoingHttpHeaders; dropped: string[] } {
  const { metadata: grpc, dropped } = toGrpcMetadata(metadata);
  const headers: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(grpc.toHttp2Headers())) {
    if (HTTP_FRAMING.has(key) || key.startsWith("access-control-")) {
      dropped.push(key);
      continue;
    }
    if (value !== undefined) headers[key] = value;
  }
  return { headers, dropped };
}
