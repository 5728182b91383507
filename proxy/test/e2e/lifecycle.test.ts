// The proxy process's life: discovery of a user function that is late or incompatible
// (spec/discovery.md, spec/failover.md FO-22, FO-23), and graceful shutdown on SIGTERM
// (spec/passivation.md PASS-27).

import { afterAll, describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { MisbehavingUserFunction } from "../fixtures/misbehaving-user-function.js";
import { freePort } from "../support/free-port.js";
import { killAllProcesses } from "../support/managed-process.js";
import { startProxy } from "../support/proxy-process.js";
import { emitAll, TckClients } from "../support/tck-clients.js";
import { startUserFunction } from "../support/user-function-process.js";
import { waitFor } from "../support/wait.js";

afterAll(async () => {
  await killAllProcesses();
}, 30_000);

describe("graceful shutdown", () => {
  it("lets the calls in flight or queued at SIGTERM complete, passivates, then exits 0", async () => {
    const uf = await MisbehavingUserFunction.start({ slowReplyMs: 700 });
    const proxy = await startProxy({ userFunctionPort: uf.port });
    try {
      const c = proxy.clients;
      expect(await c.esProcess(emitAll("slow-1", "ok:a"))).toEqual({ ok: true, value: { message: "ok:a" } });
      // One call in flight at the user function, and one queued behind it for the same entity
      // (sent on the same connection right after, so the proxy has it by the time the first is forwarded).
      const inFlight = c.esProcess(emitAll("slow-1", "b"));
      const queued = c.esProcess(emitAll("slow-1", "c"));
      await waitFor("the slow command to reach the user function", () => uf.commands.filter((x) => x.entityId === "slow-1").length === 2);
      proxy.process.signal("SIGTERM");
      expect(await inFlight).toEqual({ ok: true, value: { message: "ok:ab" } });
      expect(await queued).toEqual({ ok: true, value: { message: "ok:abc" } });
      expect(await proxy.process.waitForExit(10_000)).toEqual({ code: 0, signal: null });
      expect(proxy.logRecords("proxy stopped")).toHaveLength(1);
      // Then the entity was passivated: its stream half-closed (PASS-27).
      expect(uf.halfClosed).toContain("slow-1");
    } finally {
      await proxy.kill();
      await uf.stop();
    }
  }, 30_000);
});

describe("discovery", () => {
  it("waits for a user function that is not up yet, and serves once it is", async () => {
    const ufPort = await freePort();
    const httpPort = await freePort();
    const proxy = await startProxy({ userFunctionPort: ufPort, flags: { "--http-port": String(httpPort) }, waitUntilServing: false });
    const early = new TckClients(`127.0.0.1:${httpPort}`);
    try {
      await proxy.process.waitForLine(/"msg":"waiting for the user function"/, 10_000);
      // Not serving yet: calls fail as unavailable (FO-23).
      expect(await early.esProcess(emitAll("late-1", "x"), 1000)).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      expect(await proxy.healthz()).toBe(503);

      const uf = await startUserFunction({ port: ufPort });
      try {
        await proxy.waitUntilServing();
        expect(proxy.port).toBe(httpPort);
        expect(await proxy.clients.esProcess(emitAll("late-1", "x"))).toEqual({ ok: true, value: { message: "x" } });
        expect(await proxy.healthz()).toBe(200);
      } finally {
        await proxy.stop();
        await uf.process.stop();
      }
    } finally {
      early.close();
      await proxy.kill();
    }
  }, 30_000);

  it("never serves a user function of an incompatible protocol version, and reports it", async () => {
    const uf = await MisbehavingUserFunction.start({ protocolVersion: { major: 1, minor: 0 } });
    const httpPort = await freePort();
    const proxy = await startProxy({ userFunctionPort: uf.port, flags: { "--http-port": String(httpPort) }, waitUntilServing: false });
    const c = new TckClients(`127.0.0.1:${httpPort}`);
    try {
      const reports = await waitFor("a reportError about the protocol version", () => {
        const found = uf.reportsMentioning("1.0");
        return found.length > 0 ? found : undefined;
      });
      expect(reports[0]).toContain("protocol");
      // The proxy keeps retrying discovery, and keeps refusing.
      await waitFor("discovery to be retried", () => uf.discoveries.length >= 3);
      expect(proxy.hasServed()).toBe(false);
      expect(await c.esProcess(emitAll("never-1", "x"), 1000)).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      expect(await proxy.healthz()).toBe(503);
      // The same problem is reported once, not at every attempt.
      expect(uf.reportsMentioning("1.0")).toHaveLength(1);
      expect(uf.commands).toEqual([]);
      // A proxy stopped while waiting for discovery exits cleanly.
      expect(await proxy.stop()).toEqual({ code: 0, signal: null });
    } finally {
      c.close();
      await proxy.kill();
      await uf.stop();
    }
  }, 30_000);
});
