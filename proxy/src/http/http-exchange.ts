// What the HTTP/JSON and gRPC-web frontends share: reading bodies, CORS headers, JSON errors.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { status } from "@grpc/grpc-js";
import { errorBody } from "./status-mapping.js";

/** The largest request body read, as for gRPC requests (64 MiB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request body above {@link MAX_BODY_BYTES}. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** Reads a whole request body; rejects with {@link BodyTooLargeError} past `limit`. */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * CORS headers of every response, so that a page of any origin can call the proxy and read the
 * status and the reply metadata (spec/http.md HTTP-27).
 */
export function corsHeaders(exposed: Iterable<string>): OutgoingHttpHeaders {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": ["grpc-status", "grpc-message", ...exposed].join(", "),
  };
}

/** Headers that most browser gRPC-web and fetch clients send, allowed when a preflight names none. */
const DEFAULT_ALLOWED_HEADERS = "content-type, accept, authorization, x-grpc-web, x-user-agent, grpc-timeout";

/** Whether a request is a CORS preflight (an OPTIONS request naming the method it prepares). */
export function isPreflight(request: IncomingMessage): boolean {
  return request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined;
}

/** Answers a CORS preflight: any origin, the methods the routes take, the headers asked for (HTTP-27). */
export function answerPreflight(request: IncomingMessage, response: ServerResponse, methods: readonly string[]): void {
  const asked = request.headers["access-control-request-headers"];
  response.writeHead(204, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": [...new Set([...methods, "POST", "OPTIONS"])].join(", "),
    "access-control-allow-headers": asked !== undefined && asked !== "" ? asked : DEFAULT_ALLOWED_HEADERS,
    "access-control-max-age": "86400",
  });
  response.end();
}

/** Ends a response with a JSON error body `{ code, message }` (HTTP-16). */
export function sendJsonError(response: ServerResponse, httpStatus: number, code: status, message: string, headers: OutgoingHttpHeaders = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message));
  response.writeHead(httpStatus, { ...corsHeaders([]), ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/** A signal aborted when the client goes away before the response is complete. */
export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
