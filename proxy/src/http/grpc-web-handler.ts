import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { findMethod, type MethodSpec, type UserSpec } from "../discovery/user-spec.js";
import type { CallError, ResponseStream } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import { BodyTooLargeError, clientGone, corsHeaders, readBody } from "./http-exchange.js";
import { httpRequestMetadata } from "./http-metadata.js";
import type { ResponseHeaders } from "./http-json-handler.js";
import { COMPRESSED_FLAG, decodeBase64Body, decodeFrames, encodeFrame, FramingError, TRAILER_FLAG, trailerFrame } from "./grpc-web-framing.js";

/** Whether a content type is one of gRPC-web's (binary or text). */
export function isGrpcWeb(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith("application/grpc-web");
}

function isText(contentType: string): boolean {
  return contentType.toLowerCase().startsWith("application/grpc-web-text");
}

/**
 * Serves gRPC-web calls (spec/http.md §5) on the HTTP port: the request body holds the
 * request messages as gRPC frames (base64 for the text variant); the response body holds the
 * response messages and then the trailers as a frame. Requests are read whole before the call
 * starts, so calls with a request stream are half-duplex (HTTP-26).
 */
export class GrpcWebHandler {
  constructor(
    private readonly spec: UserSpec,
    private readonly dispatcher: Dispatcher,
    private readonly responseHeaders: ResponseHeaders,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const contentType = request.headers["content-type"] ?? "";
    const text = isText(contentType);
    const path = new URL(request.url ?? "/", "http://proxy").pathname;
    const [, serviceName = "", methodName = ""] = path.split("/");
    const method = path.split("/").length === 3 ? findMethod(this.spec, serviceName, methodName) : undefined;
    const out = (m: MethodSpec | undefined) => new GrpcWebResponse(response, text, (metadata) => (m === undefined ? {} : this.responseHeaders(m, metadata)));
    if (request.method !== "POST") {
      out(undefined).end({ code: status.UNIMPLEMENTED, message: `gRPC-web calls are POST requests, not ${request.method ?? "?"}` });
      return;
    }
    if (method === undefined) {
      // As grpc-js answers for gRPC (ERR-41).
      out(undefined).end({ code: status.UNIMPLEMENTED, message: `The server does not implement the method ${path}` });
      return;
    }
    const stream = out(method);
    let messages: Uint8Array[];
    try {
      const body = await readBody(request);
      messages = requestMessages(text ? decodeBase64Body(body.toString("latin1")) : body);
    } catch (error) {
      if (error instanceof BodyTooLargeError) stream.end({ code: status.RESOURCE_EXHAUSTED, message: error.message });
      else if (error instanceof FramingError) stream.end({ code: status.INVALID_ARGUMENT, message: `malformed gRPC-web request body: ${error.message}` });
      else if (error instanceof CompressedError) stream.end({ code: status.UNIMPLEMENTED, message: error.message });
      else throw error;
      return;
    }
    const metadata = httpRequestMetadata(request);
    const single = (): Uint8Array | undefined => {
      if (messages.length === 1) return messages[0];
      stream.end({ code: status.INVALID_ARGUMENT, message: `${method.path} takes exactly one request message; the request holds ${messages.length}` });
      return undefined;
    };
    switch (method.shape) {
      case "unary": {
        const payload = single();
        if (payload === undefined) return;
        const answer = await this.dispatcher.unary(method, payload, metadata);
        stream.finish(answer.result);
        answer.afterReply();
        return;
      }
      case "server_streaming": {
        const payload = single();
        if (payload !== undefined) this.dispatcher.serverStream(method, payload, metadata, stream);
        return;
      }
      case "client_streaming": {
        const answer = await this.dispatcher.clientStream(method, iterate(messages), metadata);
        stream.finish(answer.result);
        answer.afterReply();
        return;
      }
      case "bidi_streaming":
        this.dispatcher.bidi(method, iterate(messages), metadata, stream);
        return;
    }
  }
}

class CompressedError extends Error {}

function requestMessages(body: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (const frame of decodeFrames(body)) {
    // Clients send no trailers; a trailer frame ends the request.
    if ((frame.flag & TRAILER_FLAG) !== 0) break;
    if ((frame.flag & COMPRESSED_FLAG) !== 0) throw new CompressedError("compressed gRPC-web messages are not supported (send grpc-encoding identity)");
    messages.push(frame.payload);
  }
  return messages;
}

async function* iterate(messages: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const m of messages) {
    await Promise.resolve();
    yield m;
  }
}

/**
 * A gRPC-web response: headers with the first message (its metadata, META-5) or at the end, a
 * data frame per message, and the trailer frame with grpc-status and grpc-message last (HTTP-25).
 * The HTTP status is 200 whatever the gRPC status.
 */
class GrpcWebResponse implements ResponseStream {
  readonly cancelled: AbortSignal;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly text: boolean,
    private readonly headersOf: (metadata: cloudstate.Metadata | undefined) => OutgoingHttpHeaders,
  ) {
    this.cancelled = clientGone(response);
  }

  send(payload: Uint8Array, metadata: cloudstate.Metadata | undefined): void {
    if (this.ended || this.cancelled.aborted) return;
    if (!this.response.headersSent) this.writeHead(this.headersOf(metadata));
    this.write(encodeFrame(0, payload));
  }

  end(error?: CallError): void {
    if (this.ended) return;
    this.ended = true;
    if (this.cancelled.aborted) return;
    if (!this.response.headersSent) this.writeHead({});
    this.write(trailerFrame(error?.code ?? status.OK, error?.message ?? ""));
    this.response.end();
  }

  /** Ends a unary or client-streamed call with its result. */
  finish(result: { readonly ok: true; readonly payload: Uint8Array; readonly metadata: cloudstate.Metadata | undefined } | { readonly ok: false; readonly error: CallError }): void {
    if (result.ok) {
      this.send(result.payload, result.metadata);
      this.end();
    } else this.end(result.error);
  }

  private writeHead(headers: OutgoingHttpHeaders): void {
    this.response.writeHead(200, {
      ...headers,
      ...corsHeaders(Object.keys(headers)),
      "content-type": this.text ? "application/grpc-web-text+proto" : "application/grpc-web+proto",
    });
  }

  private write(frame: Buffer): void {
    this.response.write(this.text ? frame.toString("base64") : frame);
  }
}
