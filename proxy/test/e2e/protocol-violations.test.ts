// A user function that breaks the protocol (spec/protocol-errors.md §2) or crashes
// (spec/failover.md §4), behind a real proxy process: the caller gets INTERNAL (UNAVAILABLE for a
// crash), the proxy reports the rule broken, stores nothing of the violating answer, and keeps
// serving the entity and every other one.

import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { MisbehavingUserFunction } from "../fixtures/misbehaving-user-function.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll } from "../support/tck-clients.js";
import { waitFor } from "../support/wait.js";

// Each test makes a handful of calls; the bound is for a loaded machine, not a performance target.
jest.setTimeout(20_000);

let uf: MisbehavingUserFunction;
let proxy: ProxyProcess;

beforeAll(async () => {
  uf = await MisbehavingUserFunction.start();
  proxy = await startProxy({ userFunctionPort: uf.port, flags: { "--command-timeout-ms": "1000", "--passivation-timeout-ms": "300" } });
}, 30_000);

afterAll(async () => {
  await proxy.stop();
  await uf.stop();
  await killAllProcesses();
}, 30_000);

const VIOLATIONS: readonly (readonly [entity: string, rule: string])[] = [
  ["wrong-command-id-1", "ERR-9"],
  ["snapshot-without-events-1", "ERR-16"],
  ["failure-with-events-1", "ERR-15"],
  ["empty-message-1", "ERR-10"],
  ["unknown-case-1", "ERR-10"],
  ["wrong-reply-type-1", "ERR-23"],
  ["completes-stream-1", "ERR-13"],
];

describe("protocol violations of the user function", () => {
  it.each(VIOLATIONS)("%s: INTERNAL naming %s, reported once, nothing stored, the entity serves again", async (entity, rule) => {
    const c = proxy.clients;
    // Something stored first, by a correct answer.
    expect(await c.esProcess(emitAll(entity, "ok:a"))).toEqual({ ok: true, value: { message: "ok:a" } });

    const answer = await c.esProcess(emitAll(entity, "bad"));
    expect(answer).toMatchObject({ ok: false, code: status.INTERNAL });
    expect(answer.ok ? "" : answer.details).toContain(rule);
    const reports = await waitFor(`a reportError naming ${rule} for ${entity}`, () => {
      const found = uf.reportsMentioning(entity);
      return found.length > 0 ? found : undefined;
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(rule);

    // The entity is restarted from storage: only the correctly answered event is there.
    const initsBefore = uf.inits.filter((i) => i.entityId === entity).length;
    expect(await c.esProcess({ id: entity })).toEqual({ ok: true, value: { message: "ok:a" } });
    const inits = uf.inits.filter((i) => i.entityId === entity);
    expect(inits).toHaveLength(initsBefore + 1);
    expect(inits.at(-1)?.events).toEqual(["ok:a"]);
    expect(uf.reportsMentioning(entity)).toHaveLength(1);
  });

  it("keeps serving other entities, and counts the violations", async () => {
    expect(await proxy.clients.esProcess(emitAll("good-1", "x", "y"))).toEqual({ ok: true, value: { message: "xy" } });
    expect(await proxy.metric("cloudstate_proxy_failures_total", { kind: "protocol_violation" })).toBeGreaterThanOrEqual(VIOLATIONS.length);
  });

  it("answers UNAVAILABLE when the user function breaks the entity stream, and serves the entity again", async () => {
    const c = proxy.clients;
    expect(await c.esProcess(emitAll("crash-1", "ok:a"))).toEqual({ ok: true, value: { message: "ok:a" } });
    const answer = await c.esProcess(emitAll("crash-1", "bad"));
    expect(answer).toMatchObject({ ok: false, code: status.UNAVAILABLE });
    // A crash is not a protocol violation: nothing reported.
    expect(uf.reportsMentioning("crash-1")).toEqual([]);
    expect(await c.esProcess({ id: "crash-1" })).toEqual({ ok: true, value: { message: "ok:a" } });
  });

  it("answers DEADLINE_EXCEEDED when the user function does not answer in time, and serves the entity again", async () => {
    const c = proxy.clients;
    expect(await c.esProcess(emitAll("silent-1", "ok:a"))).toEqual({ ok: true, value: { message: "ok:a" } });
    expect(await c.esProcess(emitAll("silent-1", "lost"))).toMatchObject({ ok: false, code: status.DEADLINE_EXCEEDED });
    expect(await c.esProcess({ id: "silent-1" })).toEqual({ ok: true, value: { message: "ok:a" } });
  });

  it("cancels a passivated stream the user function never completes, and serves the next command on a new stream", async () => {
    const c = proxy.clients;
    expect(await c.esProcess(emitAll("sticky-1", "a"))).toEqual({ ok: true, value: { message: "a" } });
    await waitFor("the proxy to passivate sticky-1", () => uf.halfClosed.includes("sticky-1"));
    // Without a bound on the wait for the completion, this call would wait for ever.
    expect(await c.esProcess(emitAll("sticky-1", "b"))).toEqual({ ok: true, value: { message: "ab" } });
    expect(uf.inits.filter((i) => i.entityId === "sticky-1").map((i) => i.events)).toEqual([[], ["a"]]);
  });
});
