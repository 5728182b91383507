import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRegistry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { status } from "@grpc/grpc-js";
import type { MethodSpec, UserSpec } from "../discovery/user-spec.js";
import type { RuntimeLog } from "../entity/entity-context.js";
import type { DroppedMetadataReporter } from "../frontend/grpc-frontend.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import { GrpcWebHandler, isGrpcWeb } from "./grpc-web-handler.js";
import { answerPreflight, isPreflight, sendJsonError } from "./http-exchange.js";
import { HttpJsonHandler, type ResponseHeaders } from "./http-json-handler.js";
import { httpResponseHeaders } from "./http-metadata.js";
import { compileHttpRoutes } from "./http-rules.js";
import { JsonMapping } from "./json-mapping.js";
import { RouteTable } from "./route-table.js";

/** Where and what the HTTP frontend serves. */
export interface HttpFrontendOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly spec: UserSpec;
  readonly dispatcher: Dispatcher;
  readonly reportDropped: DroppedMetadataReporter;
  readonly log: RuntimeLog;
}

/**
 * The proxy's HTTP port (spec/http.md): HTTP/JSON transcoding of the user's methods, and
 * gRPC-web on the same port, told apart by the request's content type (HTTP-24), with CORS
 * for browser pages (HTTP-27).
 */
export class HttpFrontend {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts serving; the spec's HTTP rules were validated at discovery, so they compile. */
  static async start(options: HttpFrontendOptions): Promise<HttpFrontend> {
    const { routes, problems } = compileHttpRoutes(options.spec.services.values());
    if (problems.length > 0) throw new Error(`the HTTP rules cannot be served: ${problems.join("; ")}`);
    const table = new RouteTable(routes);
    const responseHeaders: ResponseHeaders = (method: MethodSpec, metadata) => {
      const { headers, dropped } = httpResponseHeaders(metadata);
      if (dropped.length > 0) options.reportDropped(method, dropped);
      return headers;
    };
    // An Any may hold a well-known type the user's descriptors do not import (HTTP-12).
    const registry = createRegistry(
      options.spec.registry,
      file_google_protobuf_any,
      file_google_protobuf_duration,
      file_google_protobuf_empty,
      file_google_protobuf_field_mask,
      file_google_protobuf_struct,
      file_google_protobuf_timestamp,
      file_google_protobuf_wrappers,
    );
    const json = new HttpJsonHandler(table, options.dispatcher, new JsonMapping(registry), responseHeaders);
    const grpcWeb = new GrpcWebHandler(options.spec, options.dispatcher, responseHeaders);
    const methods = table.methods();
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const handled = isPreflight(request)
        ? Promise.resolve(answerPreflight(request, response, methods))
        : isGrpcWeb(request.headers["content-type"])
          ? grpcWeb.handle(request, response)
          : json.handle(request, response);
      handled.catch((error: unknown) => {
        options.log.warn("HTTP request failed", { method: request.method ?? "", url: request.url ?? "", error: error instanceof Error ? error.message : String(error) });
        sendJsonError(response, 500, status.INTERNAL, "the proxy failed to handle the request");
      });
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        const address = server.address();
        resolve(typeof address === "object" && address !== null ? address.port : options.port);
      });
    });
    return new HttpFrontend(server, port);
  }

  /**
   * Stops accepting requests, lets those in flight finish for up to `graceMs`, then closes
   * every connection.
   */
  async close(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.closeAllConnections();
        resolve();
      }, graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}
