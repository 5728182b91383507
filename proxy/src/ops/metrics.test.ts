import { describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { FAILURE_KINDS, ProxyMetrics, secondsSince } from "./metrics.js";

const CART = 'entity_type="cloudstate.eventsourced.EventSourced",service="shop.Cart"';

describe("ProxyMetrics", () => {
  it("exposes each metric with its labels after recording", async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const cart = metrics.forService("cloudstate.eventsourced.EventSourced", "shop.Cart");
    cart.commandCompleted(status.OK, 0.0004);
    cart.commandCompleted(status.OK, 0.002);
    cart.commandCompleted(status.DEADLINE_EXCEEDED, 10);
    cart.entityActivated();
    cart.entityActivated();
    cart.entityDeactivated();
    cart.eventsPersisted(3);
    cart.replayCompleted(5, 0.02);
    for (const kind of FAILURE_KINDS) cart.failure(kind);
    cart.failure("timeout");
    cart.passivation();

    const text = await metrics.render();
    const expected = [
      `cloudstate_proxy_commands_total{${CART},outcome="ok"} 2`,
      `cloudstate_proxy_commands_total{${CART},outcome="DEADLINE_EXCEEDED"} 1`,
      `cloudstate_proxy_command_duration_seconds_bucket{le="0.0005",${CART}} 1`,
      `cloudstate_proxy_command_duration_seconds_bucket{le="0.0025",${CART}} 2`,
      `cloudstate_proxy_command_duration_seconds_bucket{le="10",${CART}} 3`,
      `cloudstate_proxy_command_duration_seconds_count{${CART}} 3`,
      `cloudstate_proxy_active_entities{${CART}} 1`,
      `cloudstate_proxy_persisted_events_total{${CART}} 3`,
      `cloudstate_proxy_replay_duration_seconds_count{${CART}} 1`,
      `cloudstate_proxy_replayed_events_total{${CART}} 5`,
      `cloudstate_proxy_failures_total{${CART},kind="user_function"} 1`,
      `cloudstate_proxy_failures_total{${CART},kind="protocol_violation"} 1`,
      `cloudstate_proxy_failures_total{${CART},kind="store"} 1`,
      `cloudstate_proxy_failures_total{${CART},kind="timeout"} 2`,
      `cloudstate_proxy_passivations_total{${CART}} 1`,
    ];
    const lines = text.split("\n");
    for (const line of expected) expect(lines).toContain(line);
    expect(text).toContain("# TYPE cloudstate_proxy_command_duration_seconds histogram");
    expect(text).not.toContain("process_cpu_user_seconds_total");
  });

  it("keeps services apart and hands out one ServiceMetrics per service", async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const a = metrics.forService("cloudstate.crdt.Crdt", "a.A");
    expect(metrics.forService("cloudstate.crdt.Crdt", "a.A")).toBe(a);
    a.commandCompleted(status.OK, 0.001);
    metrics.forService("cloudstate.crdt.Crdt", "b.B").commandCompleted(status.UNKNOWN, 0.001);
    const text = await metrics.render();
    expect(text).toContain('cloudstate_proxy_commands_total{entity_type="cloudstate.crdt.Crdt",service="a.A",outcome="ok"} 1');
    expect(text).toContain('cloudstate_proxy_commands_total{entity_type="cloudstate.crdt.Crdt",service="b.B",outcome="UNKNOWN"} 1');
    expect(text).not.toContain('service="a.A",outcome="UNKNOWN"');
    // A service seen but idle still shows its active-entity gauge, at 0.
    expect(text).toContain('cloudstate_proxy_active_entities{entity_type="cloudstate.crdt.Crdt",service="b.B"} 0');
  });

  it("includes process metrics by default", async () => {
    const metrics = new ProxyMetrics();
    expect(await metrics.render()).toContain("process_cpu_user_seconds_total");
    expect(metrics.contentType).toContain("text/plain");
  });

  it("measures elapsed seconds from an hrtime reading", () => {
    const start = process.hrtime.bigint() - 1_500_000_000n;
    expect(secondsSince(start)).toBeGreaterThanOrEqual(1.5);
  });
});
