import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { JsonValue } from "@bufbuild/protobuf";
import type { cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { MethodSpec } from "../discovery/user-spec.js";
import type { UnaryResult } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import type { Answer } from "../routing/service-handler.js";
import { BodyTooLargeError, corsHeaders, readBody, sendJsonError } from "./http-exchange.js";
import { httpRequestMetadata } from "./http-metadata.js";
import type { HttpRoute } from "./http-rules.js";
import { type JsonMapping, JsonMappingError } from "./json-mapping.js";
import { jsonRequestMessages } from "./json-request-stream.js";
import { JsonResponseStream, streamFormatOf } from "./json-response-stream.js";
import { HttpRequestError, requestJson } from "./request-transcoder.js";
import { isRouteMatch, type RouteTable } from "./route-table.js";
import { httpStatusOf } from "./status-mapping.js";

/** Builds response headers from reply metadata, reporting what cannot be sent (META-12). */
export type ResponseHeaders = (method: MethodSpec, metadata: cloudstate.Metadata | undefined) => OutgoingHttpHeaders;

/**
 * Serves HTTP/JSON requests (spec/http.md §2..§4): finds the route, builds the request message
 * from path, query and body, calls the method through the dispatcher like a gRPC call, and
 * writes the answer as JSON, or as a stream of JSON items.
 */
export class HttpJsonHandler {
  constructor(
    private readonly routes: RouteTable,
    private readonly dispatcher: Dispatcher,
    private readonly mapping: JsonMapping,
    private readonly responseHeaders: ResponseHeaders,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://proxy");
    const found = this.routes.find(request.method ?? "GET", url.pathname);
    if (!isRouteMatch(found)) {
      if (found.status === 405) {
        sendJsonError(response, 405, status.UNIMPLEMENTED, `${request.method ?? ""} is not allowed on ${url.pathname}; allowed: ${found.allow.join(", ")}`, { allow: found.allow.join(", ") });
      } else sendJsonError(response, 404, status.NOT_FOUND, `no HTTP route matches ${request.method ?? ""} ${url.pathname}`);
      return;
    }
    const { route, bindings } = found;
    const method = route.method;
    const metadata = httpRequestMetadata(request);
    const render = (payload: Uint8Array): JsonValue =>
      route.responseBody === undefined ? this.mapping.toJson(method.output, payload) : this.mapping.fieldToJson(method.output, payload, route.responseBody);
    const stream = () => new JsonResponseStream(response, streamFormatOf(request.headers.accept), render, (m) => this.responseHeaders(method, m));
    switch (method.shape) {
      case "unary":
      case "server_streaming": {
        const payload = await this.requestMessage(request, response, route, bindings, url.searchParams);
        if (payload === undefined) return;
        if (method.shape === "unary") this.reply(response, method, render, await this.dispatcher.unary(method, payload, metadata));
        else this.dispatcher.serverStream(method, payload, metadata, stream());
        return;
      }
      case "client_streaming":
      case "bidi_streaming": {
        if ([...url.searchParams.keys()].length > 0) {
          sendJsonError(response, 400, status.INVALID_ARGUMENT, `${route.description} takes its messages from the body: query parameters cannot be used`);
          return;
        }
        const requests = jsonRequestMessages(request, method.input, this.mapping);
        if (method.shape === "client_streaming") this.reply(response, method, render, await this.dispatcher.clientStream(method, requests, metadata));
        else this.dispatcher.bidi(method, requests, metadata, stream());
        return;
      }
    }
  }

  /** The request message in binary form, or undefined once a 400 (HTTP-14) or 413 has been sent. */
  private async requestMessage(request: IncomingMessage, response: ServerResponse, route: HttpRoute, bindings: ReadonlyMap<string, string>, query: URLSearchParams): Promise<Uint8Array | undefined> {
    try {
      const body = (await readBody(request)).toString("utf8");
      return this.mapping.fromJson(route.method.input, requestJson(route, bindings, query, body));
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendJsonError(response, 413, status.RESOURCE_EXHAUSTED, error.message);
      else if (error instanceof HttpRequestError) sendJsonError(response, 400, status.INVALID_ARGUMENT, error.message);
      else if (error instanceof JsonMappingError) sendJsonError(response, 400, status.INVALID_ARGUMENT, `the request is not a valid ${route.method.input.typeName}: ${error.message}`);
      else throw error;
      return undefined;
    }
  }

  /** Answers a unary or client-streamed call, then lets its asynchronous side effects start (EFF-25). */
  private reply(response: ServerResponse, method: MethodSpec, render: (payload: Uint8Array) => JsonValue, answer: Answer): void {
    writeResult(response, answer.result, render, (m) => this.responseHeaders(method, m));
    answer.afterReply();
  }
}

function writeResult(response: ServerResponse, result: UnaryResult, render: (payload: Uint8Array) => JsonValue, headersOf: (m: cloudstate.Metadata | undefined) => OutgoingHttpHeaders): void {
  if (!result.ok) {
    sendJsonError(response, httpStatusOf(result.error.code), result.error.code, result.error.message);
    return;
  }
  let body: string;
  try {
    body = JSON.stringify(render(result.payload));
  } catch (error) {
    sendJsonError(response, 500, status.INTERNAL, `the response cannot be shown as JSON: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const headers = headersOf(result.metadata);
  response.writeHead(200, { ...headers, ...corsHeaders(Object.keys(headers)), "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}
