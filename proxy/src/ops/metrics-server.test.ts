import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { HealthStatus } from "./health-service.js";
import { ProxyMetrics } from "./metrics.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";

describe("metrics server", () => {
  const metrics = new ProxyMetrics({ defaultMetrics: false });
  const health = new HealthStatus();
  let server: MetricsServer;
  let base: string;

  beforeAll(async () => {
    server = await startMetricsServer({ metrics, serving: () => health.isServing(), port: 0 });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(() => server.stop());

  it("serves Prometheus text on /metrics", async () => {
    metrics.forService("cloudstate.valueentity.ValueEntity", "shop.Cart").commandCompleted(status.OK, 0.001);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain(
      'cloudstate_proxy_commands_total{entity_type="cloudstate.valueentity.ValueEntity",service="shop.Cart",outcome="ok"} 1',
    );
  });

  it("answers /healthz with 503 until serving, then 200", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    health.setServing("", true);
    const res = await fetch(`${base}/healthz?verbose=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("serving\n");
    health.shutdown();
    expect((await fetch(`${base}/healthz`, { method: "HEAD" })).status).toBe(503);
  });

  it.each([
    ["GET", "/", 404],
    ["GET", "/metrics/extra", 404],
    ["POST", "/metrics", 405],
  ])("answers %s %s with %i", async (method, path, code) => {
    expect((await fetch(`${base}${path}`, { method })).status).toBe(code);
  });

  it("fails to start on a port in use, and stops idempotently", async () => {
    await expect(startMetricsServer({ metrics, serving: () => true, port: server.port })).rejects.toThrow("EADDRINUSE");
    const other = await startMetricsServer({ metrics, serving: () => true, port: 0 });
    await other.stop();
    await other.stop();
    await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
  });
});
