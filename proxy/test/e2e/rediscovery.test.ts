// Re-discovery after the user function comes back (spec/failover.md §5, FO-21..FO-24): the proxy
// discovers it again before it opens a new entity stream, serves on when the spec is the one it
// serves, and refuses a spec that is invalid or different (health NOT_SERVING, calls
// UNAVAILABLE, reportError) until the former spec is back.

import { afterAll, describe, expect, it } from "@jest/globals";
import { grpcHealth } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { MisbehavingUserFunction } from "../fixtures/misbehaving-user-function.js";
import { statusOf } from "../support/grpc-calls.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll } from "../support/tck-clients.js";
import { SHOPPING_CART_MAIN, startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";
import { waitFor } from "../support/wait.js";

const { SERVING, NOT_SERVING } = grpcHealth.HealthCheckResponse_ServingStatus;

afterAll(async () => {
  await killAllProcesses();
}, 30_000);

/** The proxy's overall health status. */
async function healthOf(proxy: ProxyProcess): Promise<grpcHealth.HealthCheckResponse_ServingStatus | string> {
  const outcome = await proxy.clients.healthCheck();
  return outcome.ok ? outcome.value.status : statusOf(outcome);
}

/** Lines of the user function's output that say a proxy discovered it (node-support logs them). */
function discoveredByProxy(uf: UserFunctionProcess): string[] {
  return uf.process.output().filter((line) => line.includes("discovered by proxy") && line.includes("cloudstate-proxy-ts"));
}

describe("a user function process restarted with the same spec", () => {
  it("is discovered again, and serves the entity from storage, with the command queued meanwhile", async () => {
    let uf = await startUserFunction();
    const proxy = await startProxy({ userFunctionPort: uf.port, flags: { "--queue-timeout-ms": "15000" } });
    try {
      const c = proxy.clients;
      expect(await c.esProcess(emitAll("rd-same", "a"))).toEqual({ ok: true, value: { message: "a" } });
      await uf.process.kill();
      await waitFor("the proxy to notice the loss", () => proxy.logRecords("lost the user function; discovering it again before opening new entity streams (spec/failover.md FO-21)").length > 0);
      // Sent while the user function is down: it waits in the entity's queue (FO-15).
      const queued = c.esProcess(emitAll("rd-same", "b"), 20_000);
      uf = await startUserFunction({ port: uf.port });
      expect(await queued).toEqual({ ok: true, value: { message: "ab" } });
      // The restarted process was discovered by the proxy (not only by the test's readiness probe).
      expect(discoveredByProxy(uf)).toHaveLength(1);
      expect(proxy.logRecords("user function discovered again: serving on")).toHaveLength(1);
      expect(await healthOf(proxy)).toBe(SERVING);
      // Actions are served again too.
      expect((await c.actionUnary({ groups: [] })).ok).toBe(true);
    } finally {
      await proxy.stop();
      await uf.process.stop();
    }
  }, 60_000);
});

describe("a user function process restarted with a different spec", () => {
  it("is refused (NOT_SERVING, UNAVAILABLE, reportError) until the former spec is back", async () => {
    let uf = await startUserFunction();
    const proxy = await startProxy({ userFunctionPort: uf.port });
    try {
      const c = proxy.clients;
      expect(await c.veProcess({ id: "rd-diff", actions: [{ action: { $case: "update", value: { value: "kept" } } }] })).toEqual({ ok: true, value: { message: "kept" } });
      await uf.process.kill();
      // The shopping cart example: a valid spec, but not the one this proxy serves.
      uf = await startUserFunction({ port: uf.port, main: SHOPPING_CART_MAIN });
      await waitFor("the proxy to report NOT_SERVING", async () => (await healthOf(proxy)) === NOT_SERVING, 15_000);
      const cart = uf;
      await waitFor("the refusal to be reported to the user function", () => cart.process.output().some((l) => l.includes("the proxy reports an error in this user function") && l.includes("differs")));
      expect(proxy.logRecords("refusing to serve the user function: its entity spec differs from the one this proxy serves; restart the proxy to serve the new spec").length).toBeGreaterThan(0);
      // Every call fails UNAVAILABLE at once: entity commands and action calls (FO-23).
      expect(await c.veProcess({ id: "rd-diff" })).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      expect(await c.esProcess({ id: "rd-diff-es" })).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      expect(await c.actionUnary({ groups: [] })).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      // The refusal is reported once, however often discovery is retried.
      const reports = () => cart.process.output().filter((l) => l.includes("the proxy reports an error in this user function")).length;
      await waitFor("discovery to be retried", () => discoveredByProxy(cart).length >= 3, 15_000);
      expect(reports()).toBe(1);

      await uf.process.kill();
      uf = await startUserFunction({ port: uf.port });
      await waitFor("the proxy to serve again", async () => (await healthOf(proxy)) === SERVING, 15_000);
      expect(await c.veProcess({ id: "rd-diff" })).toEqual({ ok: true, value: { message: "kept" } });
    } finally {
      await proxy.stop();
      await uf.process.stop();
    }
  }, 90_000);
});

describe("a user function that comes back", () => {
  it("is discovered before the next entity stream opens; an incompatible spec is refused until a valid one is back", async () => {
    let uf = await MisbehavingUserFunction.start();
    const port = uf.port;
    const proxy = await startProxy({ userFunctionPort: port, flags: { "--queue-timeout-ms": "15000" } });
    try {
      const c = proxy.clients;
      expect(await c.esProcess(emitAll("good-rd-1", "ok:a"))).toEqual({ ok: true, value: { message: "ok:a" } });
      await uf.stop();
      await waitFor("the proxy to notice the loss", () => proxy.logRecords("lost the user function; discovering it again before opening new entity streams (spec/failover.md FO-21)").length > 0);
      // Queued while the user function is down, so that it waits for the user function's return.
      const queued = c.esProcess(emitAll("good-rd-1", "ok:b"), 20_000);

      // Back, with the same spec and a slow discovery: the entity's new stream opens only once
      // discovery was answered (FO-21, FO-24).
      uf = await MisbehavingUserFunction.start({ port, discoverDelayMs: 500 });
      expect(await queued).toEqual({ ok: true, value: { message: "ok:aok:b" } });
      expect(uf.events).toEqual(["discover", "init:good-rd-1"]);
      await uf.stop();

      // Back, speaking a protocol version this proxy does not support (FO-22).
      uf = await MisbehavingUserFunction.start({ port, protocolVersion: { major: 1, minor: 0 } });
      const incompatible = uf;
      await waitFor("the refusal to be reported", () => incompatible.reportsMentioning("protocol 1.0").length > 0, 15_000);
      expect(await healthOf(proxy)).toBe(NOT_SERVING);
      expect(await c.esProcess(emitAll("good-rd-1", "ok:c"))).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      // Nothing but discovery and the report reached it.
      expect(new Set(incompatible.events)).toEqual(new Set(["discover", "reportError"]));
      await uf.stop();

      uf = await MisbehavingUserFunction.start({ port });
      await waitFor("the proxy to serve again", async () => (await healthOf(proxy)) === SERVING, 15_000);
      expect(await c.esProcess(emitAll("good-rd-1", "ok:d"))).toEqual({ ok: true, value: { message: "ok:aok:bok:d" } });
      expect(uf.events).toEqual(["discover", "init:good-rd-1"]);
    } finally {
      await proxy.stop();
      await uf.stop();
    }
  }, 90_000);
});
