import { describe, expect, it } from "@jest/globals";
import type { IncomingMessage } from "node:http";
import { httpRequestMetadata, httpResponseHeaders } from "./http-metadata.js";

const request = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;

describe("HTTP headers and metadata (HTTP-17, META-13..16)", () => {
  it("passes request headers as metadata, lower case and in order, except those framing HTTP, gRPC and gRPC-web", () => {
    const metadata = httpRequestMetadata(
      request([
        "Host", "proxy:9001",
        "User-Agent", "curl/8",
        "Content-Type", "application/json",
        "Content-Length", "2",
        "Connection", "keep-alive",
        "Transfer-Encoding", "chunked",
        "X-Grpc-Web", "1",
        "grpc-timeout", "1S",
        "TE", "trailers",
        "Authorization", "Bearer t",
        "X-Tenant", "a",
        "x-tenant", "b",
        "Trace-Bin", Buffer.from([1, 2, 255]).toString("base64"),
      ]),
    );
    expect(metadata?.entries).toEqual([
      { key: "user-agent", value: { $case: "stringValue", value: "curl/8" } },
      { key: "authorization", value: { $case: "stringValue", value: "Bearer t" } },
      { key: "x-tenant", value: { $case: "stringValue", value: "a" } },
      { key: "x-tenant", value: { $case: "stringValue", value: "b" } },
      { key: "trace-bin", value: { $case: "bytesValue", value: new Uint8Array([1, 2, 255]) } },
    ]);
    expect(httpRequestMetadata(request(["Host", "x", "Content-Length", "0"]))).toBeUndefined();
  });

  it("sends reply metadata as response headers, dropping what cannot travel", () => {
    const { headers, dropped } = httpResponseHeaders({
      entries: [
        { key: "X-Cart-Version", value: { $case: "stringValue", value: "3" } },
        { key: "x-cart-version", value: { $case: "stringValue", value: "4" } },
        { key: "sig-bin", value: { $case: "bytesValue", value: new Uint8Array([0xff, 0x00]) } },
        { key: "content-type", value: { $case: "stringValue", value: "text/plain" } },
        { key: "connection", value: { $case: "stringValue", value: "close" } },
        { key: "access-control-allow-origin", value: { $case: "stringValue", value: "evil.example" } },
        { key: "x-bytes", value: { $case: "bytesValue", value: new Uint8Array([1]) } },
      ],
    });
    expect(headers).toEqual({ "x-cart-version": ["3", "4"], "sig-bin": "/wA=" });
    expect(dropped.sort()).toEqual(["access-control-allow-origin", "connection", "content-type", "x-bytes"]);
  });
});
