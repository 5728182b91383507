// The proxy's operations HTTP endpoint: /metrics for Prometheus and /healthz for orchestrators
// whose probes speak HTTP rather than gRPC (Kubernetes httpGet, load balancers).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProxyMetrics } from "./metrics.js";

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  readonly metrics: ProxyMetrics;
  /** Whether the proxy is serving; /healthz answers 200 when true, 503 otherwise. */
  readonly serving: () => boolean;
  /** Port to listen on; 0 picks a free one (see {@link MetricsServer.port}). */
  readonly port: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port actually listened on. */
  readonly port: number;
  /**
   * Stops listening and closes open connections (Prometheus keeps them alive between scrapes).
   * Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/** Starts the HTTP server; resolves once it listens, rejects if it cannot (port in use, ...). */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, "text/plain; charset=utf-8", `metrics failed: ${String(err)}\n`);
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      let stopping: Promise<void> | undefined;
      resolve({ port, stop: () => (stopping ??= stop(server)) });
    });
  });
}

async function handle(options: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (path !== "/metrics" && path !== "/healthz") {
    reply(res, 404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    reply(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return;
  }
  if (path === "/healthz") {
    const serving = options.serving();
    reply(res, serving ? 200 : 503, "text/plain; charset=utf-8", serving ? "serving\n" : "not serving\n");
    return;
  }
  reply(res, 200, options.metrics.contentType, await options.metrics.render());
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  // HEAD gets the headers of GET without the body.
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
