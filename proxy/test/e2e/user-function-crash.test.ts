// The user function is killed (SIGKILL) in the middle of a write load and restarted
// (spec/failover.md §3, §4): every call ends with a response or a clear status, the service
// resumes, and every acknowledged event is stored exactly once, in order.

import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { statusOf } from "../support/grpc-calls.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll } from "../support/tck-clients.js";
import { startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";
import { sleep, waitFor } from "../support/wait.js";

let uf: UserFunctionProcess;
let proxy: ProxyProcess;

beforeAll(async () => {
  uf = await startUserFunction();
  // Queued commands wait 1 s for an unreachable user function before failing (FO-4).
  proxy = await startProxy({ userFunctionPort: uf.port, flags: { "--queue-timeout-ms": "1000" } });
}, 30_000);

afterAll(async () => {
  await proxy.stop();
  await uf.process.stop();
  await killAllProcesses();
}, 30_000);

/** What one writer saw: the values acknowledged, in order, and the status of every failed call. */
interface WriterLog {
  readonly entity: string;
  /** Prefix of this writer's values, `w<i>.`: two writers share each entity. */
  readonly writer: string;
  readonly acknowledged: string[];
  readonly failures: { readonly value: string; readonly status: string }[];
}

/** The values of the `[...]` tokens in an entity's state string, in order. */
function tokensOf(state: string): string[] {
  return [...state.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? "");
}

/** Statuses a call may end with when the user function dies under it (spec/failover.md FO-6, FO-12). */
const CLEAR_FAILURES = new Set(["UNAVAILABLE", "DEADLINE_EXCEEDED"]);

describe("user function killed under load", () => {
  it("loses no acknowledged event and duplicates none, and serves again once the user function is back", async () => {
    const c = proxy.clients;
    // Three entities, two writers each, so that commands also wait in the entities' queues.
    const writers: WriterLog[] = Array.from({ length: 6 }, (_, w) => ({ entity: `crash-${w % 3}`, writer: `w${w}.`, acknowledged: [], failures: [] }));
    const running = { value: true };
    // Each writer emits [w<i>.0], [w<i>.1], ... one call at a time; every call has a deadline.
    const load = Promise.all(
      writers.map(async (log) => {
        for (let n = 0; running.value; n++) {
          const value = `${log.writer}${n}`;
          const outcome = await c.esProcess(emitAll(log.entity, `[${value}]`), 4000);
          if (outcome.ok) log.acknowledged.push(value);
          else {
            log.failures.push({ value, status: statusOf(outcome) });
            // Do not spin while the user function is down.
            await sleep(20);
          }
        }
      }),
    );
    try {
      const acked = () => Math.min(...writers.map((w) => w.acknowledged.length));
      await waitFor("every writer to have 10 acknowledged events", () => acked() >= 10, 10_000);
      // Calls that stay open: a CRDT streamed command and a bidirectional action call.
      const crdtStream = c.crdtProcessStreamed({ id: "GCounter-crash" });
      const actionCall = c.actionStreamed(20_000);
      actionCall.write({ groups: [{ steps: [{ step: { $case: "reply", value: { message: "open" } } }] }] });
      await crdtStream.waitForMessages(1);
      await actionCall.reader.waitForMessages(1);
      await uf.process.kill();
      // Their streams broke with the user function: both end UNAVAILABLE (FO-17, FO-18).
      expect(await crdtStream.ended).toMatchObject({ code: status.UNAVAILABLE });
      expect(await actionCall.reader.ended).toMatchObject({ code: status.UNAVAILABLE });
      // New calls of the other kinds fail the same way while it is down: an action at once, an
      // entity command once it has waited the queue timeout (FO-4).
      expect(statusOf(await c.actionUnary({ groups: [] }))).toBe("UNAVAILABLE");
      expect(statusOf(await c.veProcess({ id: "crash-ve", actions: [{ action: { $case: "update", value: { value: "x" } } }] }))).toBe("UNAVAILABLE");
      const beforeRestart = writers.map((w) => w.failures.length);
      await waitFor("every writer to see the user function gone", () => writers.every((w, i) => w.failures.length > (beforeRestart[i] ?? 0)), 10_000);
      uf = await startUserFunction({ port: uf.port });
      const afterRestart = writers.map((w) => w.acknowledged.length);
      await waitFor("every writer to have 5 more acknowledged events", () => writers.every((w, i) => w.acknowledged.length >= (afterRestart[i] ?? 0) + 5), 20_000);
    } finally {
      running.value = false;
      await load;
    }

    for (const log of writers) {
      // Every call ended with a response or a clear status; nothing failed for another reason.
      const unclear = log.failures.filter((f) => !CLEAR_FAILURES.has(f.status));
      expect(unclear).toEqual([]);
      const answer = await c.esProcess({ id: log.entity });
      expect(answer.ok).toBe(true);
      const all = tokensOf(answer.ok ? answer.value.message : "");
      // No event stored twice (acknowledged or not).
      expect(new Set(all).size).toBe(all.length);
      const stored = all.filter((t) => t.startsWith(log.writer));
      // Every acknowledged event is stored, in the order it was acknowledged.
      const ackedSet = new Set(log.acknowledged);
      expect(stored.filter((n) => ackedSet.has(n))).toEqual(log.acknowledged);
      // Only values a call was made for are stored.
      const attempted = new Set([...log.acknowledged, ...log.failures.map((f) => f.value)]);
      expect(stored.filter((n) => !attempted.has(n))).toEqual([]);
    }
    expect(writers.flatMap((w) => w.failures).length).toBeGreaterThan(0);
  }, 60_000);
});

describe("user function down for less than the queue timeout", () => {
  it("delivers the queued command once it is back (FO-15)", async () => {
    const waiting = await startProxy({ userFunctionPort: uf.port, flags: { "--queue-timeout-ms": "8000" } });
    try {
      await uf.process.kill();
      const call = waiting.clients.veProcess({ id: "queued-ve", actions: [{ action: { $case: "update", value: { value: "kept" } } }] }, 10_000);
      await sleep(500);
      uf = await startUserFunction({ port: uf.port });
      const outcome = await call;
      expect(outcome.ok).toBe(true);
      expect(outcome.ok && outcome.value.message).toBe("kept");
    } finally {
      await waiting.stop();
    }
  }, 30_000);
});
