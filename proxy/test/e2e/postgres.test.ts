// The proxy on PostgreSQL (embedded server), as a real process: state survives a proxy restart,
// a store outage fails writes with UNAVAILABLE and the proxy recovers without a restart
// (spec/failover.md §3, §7), and a write slower than the command timeout is never acknowledged
// for the wrong command.

import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../support/embedded-postgres.js";
import { statusOf } from "../support/grpc-calls.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll } from "../support/tck-clients.js";
import { startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";
import { sleep, waitFor } from "../support/wait.js";

let postgres: EmbeddedPostgresServer;
let uf: UserFunctionProcess;

beforeAll(async () => {
  [postgres, uf] = await Promise.all([startEmbeddedPostgres(), startUserFunction()]);
}, 120_000);

afterAll(async () => {
  await uf.process.stop();
  await killAllProcesses();
  await postgres.stop();
}, 60_000);

const ES = { service: "cloudstate.tck.model.EventSourcedTckModel" };
const update = (value: string) => ({ action: { $case: "update" as const, value: { value } } });

/** A proxy on PostgreSQL database `url`. */
function postgresProxy(url: string, flags: Record<string, string> = {}): Promise<ProxyProcess> {
  return startProxy({ userFunctionPort: uf.port, flags: { "--store": "postgres", "--postgres-url": url, ...flags } });
}

describe("PostgreSQL store", () => {
  it("keeps events and values across a proxy restart", async () => {
    const url = await postgres.createDatabase("restart");
    const first = await postgresProxy(url);
    // A durable store: no start-up warning that state is lost (FO-11).
    expect(first.process.output().filter((line) => line.includes("lost when the proxy stops"))).toEqual([]);
    try {
      // The model snapshots with the reply that reaches 5 events.
      expect(await first.clients.esProcess(emitAll("pg-es", "a", "b", "c", "d", "e"))).toEqual({ ok: true, value: { message: "abcde" } });
      expect(await first.clients.esProcess(emitAll("pg-es", "f"))).toEqual({ ok: true, value: { message: "abcdef" } });
      expect(await first.clients.veProcess({ id: "pg-ve", actions: [update("stored")] })).toEqual({ ok: true, value: { message: "stored" } });
    } finally {
      expect(await first.stop()).toEqual({ code: 0, signal: null });
    }

    const second = await postgresProxy(url);
    try {
      expect(await second.clients.esProcess({ id: "pg-es" })).toEqual({ ok: true, value: { message: "abcdef" } });
      // Rebuilt from storage: the snapshot at 5 events, then the sixth event.
      expect(await second.metric("cloudstate_proxy_replayed_events_total", ES)).toBe(1);
      // The journal continues where it ended.
      expect(await second.clients.esProcess(emitAll("pg-es", "g"))).toEqual({ ok: true, value: { message: "abcdefg" } });
      expect(await second.clients.veProcess({ id: "pg-ve" })).toEqual({ ok: true, value: { message: "stored" } });
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("keeps every acknowledged event, once and in order, when the proxy is killed under load", async () => {
    const url = await postgres.createDatabase("proxy_killed");
    const first = await postgresProxy(url);
    const entities = ["kill-0", "kill-1", "kill-2"];
    const acknowledged = new Map<string, string[]>(entities.map((e) => [e, []]));
    const attempted = new Map<string, string[]>(entities.map((e) => [e, []]));
    const running = { value: true };
    const load = Promise.all(
      entities.map(async (entity) => {
        for (let n = 0; running.value; n++) {
          attempted.get(entity)?.push(String(n));
          // Once kill() has closed the client's channel, a call that was about to start rejects at once.
          const outcome = await first.clients.esProcess(emitAll(entity, `[${n}]`), 3000).catch(() => undefined);
          if (outcome?.ok === true) acknowledged.get(entity)?.push(String(n));
          else return;
        }
      }),
    );
    try {
      await waitFor("10 acknowledged events per entity", () => entities.every((e) => (acknowledged.get(e)?.length ?? 0) >= 10), 15_000);
      expect(await first.kill()).toMatchObject({ signal: "SIGKILL" });
    } finally {
      running.value = false;
      await load;
    }

    const second = await postgresProxy(url);
    try {
      for (const entity of entities) {
        const answer = await second.clients.esProcess({ id: entity });
        expect(answer.ok).toBe(true);
        const stored = [...(answer.ok ? answer.value.message : "").matchAll(/\[(\d+)\]/g)].map((m) => m[1] ?? "");
        const acked = acknowledged.get(entity) ?? [];
        // Every acknowledged event, in order; at most the call in flight at the kill beyond them; nothing twice.
        expect(stored.slice(0, acked.length)).toEqual(acked);
        expect(stored.length - acked.length).toBeLessThanOrEqual(1);
        expect(stored).toEqual((attempted.get(entity) ?? []).slice(0, stored.length));
      }
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("fails writes with UNAVAILABLE while the database is down, acknowledges nothing unwritten, and recovers without a restart", async () => {
    const url = await postgres.createDatabase("outage");
    const proxy = await postgresProxy(url);
    try {
      const c = proxy.clients;
      expect(await c.esProcess(emitAll("out-es", "[before]"))).toEqual({ ok: true, value: { message: "[before]" } });
      expect(await c.veProcess({ id: "out-ve", actions: [update("before")] })).toEqual({ ok: true, value: { message: "before" } });

      await postgres.stopServer();
      try {
        // The entity is active: its write fails. Then it must reload, and the load fails.
        for (const value of ["[down1]", "[down2]"]) expect(statusOf(await c.esProcess(emitAll("out-es", value)))).toBe("UNAVAILABLE");
        expect(statusOf(await c.veProcess({ id: "out-ve", actions: [update("down")] }))).toBe("UNAVAILABLE");
        expect(statusOf(await c.esProcess(emitAll("out-es-new", "[x]")))).toBe("UNAVAILABLE");
        expect(await proxy.metric("cloudstate_proxy_failures_total", { ...ES, kind: "store" })).toBeGreaterThanOrEqual(2);
      } finally {
        await postgres.startServer();
      }

      // Same proxy process: writes succeed again, and nothing of the failed writes was stored.
      await waitFor("writes to succeed again", async () => (await c.esProcess(emitAll("out-es", "[after]"))).ok, 15_000, 100);
      expect(await c.esProcess({ id: "out-es" })).toEqual({ ok: true, value: { message: "[before][after]" } });
      expect(await c.veProcess({ id: "out-ve" })).toEqual({ ok: true, value: { message: "before" } });
      expect(await c.veProcess({ id: "out-ve", actions: [update("after")] })).toEqual({ ok: true, value: { message: "after" } });
      expect(await c.esProcess(emitAll("out-es-new", "[y]"))).toEqual({ ok: true, value: { message: "[y]" } });
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it("answers each command with its own outcome when a write takes longer than the command timeout", async () => {
    const url = await postgres.createDatabase("slow");
    const proxy = await postgresProxy(url, { "--command-timeout-ms": "500" });
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      const c = proxy.clients;
      expect(await c.esProcess(emitAll("slow-es", "a"))).toEqual({ ok: true, value: { message: "a" } });
      // Appends wait on this lock; reads do not.
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE cloudstate_journal IN SHARE MODE");
      const first = c.esProcess(emitAll("slow-es", "b"), 10_000);
      await sleep(50);
      const second = c.esProcess(emitAll("slow-es", "c"), 10_000);
      // Longer than the command timeout: the answer to "b" arrived long before, only its write is slow.
      await sleep(1500);
      await blocker.query("COMMIT");
      const outcomes = [await first, await second];
      const stored = await c.esProcess({ id: "slow-es" });
      expect(stored.ok).toBe(true);
      const state = stored.ok ? stored.value.message : "";
      // A command answered OK has its own event stored, and its reply is its own.
      outcomes.forEach((outcome, i) => {
        const value = ["b", "c"][i] ?? "";
        if (outcome.ok) {
          expect(outcome.value.message.endsWith(value)).toBe(true);
          expect(state).toContain(value);
        } else expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(outcome.code);
      });
      expect(outcomes.map(statusOf)).toEqual(["OK", "OK"]);
      expect(state).toBe("abc");
    } finally {
      await blocker.end();
      await proxy.stop();
    }
  }, 60_000);
});
