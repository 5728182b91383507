import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { JsonValue } from "@bufbuild/protobuf";
import type { cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { CallError, ResponseStream } from "../routing/call-result.js";
import { clientGone, corsHeaders, sendJsonError } from "./http-exchange.js";
import { errorBody, httpStatusOf } from "./status-mapping.js";

/** How a streamed HTTP/JSON response is written (spec/http.md §4). */
export type StreamFormat = "sse" | "ndjson";

/** Server-sent events when the client accepts them, else newline-delimited JSON (HTTP-19). */
export function streamFormatOf(accept: string | undefined): StreamFormat {
  return accept !== undefined && accept.toLowerCase().includes("text/event-stream") ? "sse" : "ndjson";
}

const CONTENT_TYPE: Record<StreamFormat, string> = { sse: "text/event-stream", ndjson: "application/x-ndjson" };

/**
 * A response stream written as server-sent events or NDJSON. The status line and headers go
 * out with the first message (carrying its metadata, META-5) or at the end: a call that fails
 * before its first message gets the mapped HTTP status and a JSON error body (HTTP-20); one
 * that fails later ends with an error item (HTTP-21).
 */
export class JsonResponseStream implements ResponseStream {
  readonly cancelled: AbortSignal;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly format: StreamFormat,
    /** The JSON of one response message; throws when the message cannot be shown as JSON. */
    private readonly render: (payload: Uint8Array) => JsonValue,
    private readonly headersOf: (metadata: cloudstate.Metadata | undefined) => OutgoingHttpHeaders,
  ) {
    this.cancelled = clientGone(response);
  }

  send(payload: Uint8Array, metadata: cloudstate.Metadata | undefined): void {
    if (this.ended || this.cancelled.aborted) return;
    let json: JsonValue;
    try {
      json = this.render(payload);
    } catch (error) {
      this.end({ code: status.INTERNAL, message: `a response message cannot be shown as JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    if (!this.response.headersSent) this.writeHead(this.headersOf(metadata));
    this.response.write(this.format === "sse" ? `data: ${JSON.stringify(json)}\n\n` : `${JSON.stringify({ result: json })}\n`);
  }

  end(error?: CallError): void {
    if (this.ended) return;
    this.ended = true;
    if (this.cancelled.aborted) return;
    if (!this.response.headersSent) {
      if (error !== undefined) {
        sendJsonError(this.response, httpStatusOf(error.code), error.code, error.message);
        return;
      }
      this.writeHead({});
    }
    if (error === undefined) {
      if (this.format === "sse") this.response.write("event: end\ndata: {}\n\n");
    } else {
      const body = errorBody(error.code, error.message);
      this.response.write(this.format === "sse" ? `event: error\ndata: ${JSON.stringify(body)}\n\n` : `${JSON.stringify({ error: body })}\n`);
    }
    this.response.end();
  }

  private writeHead(headers: OutgoingHttpHeaders): void {
    this.response.writeHead(200, {
      ...headers,
      ...corsHeaders(Object.keys(headers)),
      "content-type": CONTENT_TYPE[this.format],
      "cache-control": "no-cache",
    });
  }
}
