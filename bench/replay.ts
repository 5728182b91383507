// (d) Replay speed: an entity with N events, recovered by the first command that reaches it.
//
// PostgreSQL (the headline): the journals are written directly with the proxy's PostgresStore.
// A first proxy recovers one entity so that the user function is warm (as a long-running one
// is), then a fresh proxy starts; one call to another key opens its connections, then the first
// command of each populated key is timed: it loads the events, streams init + N events to the
// user function, which applies them, and answers. The first of these is the headline (the
// proxy's replay path is then cold, as after a restart); the later ones show it warm. Memory: the store dies with the proxy, so the
// journal is written through the proxy (commands of 100 events each), the entity is passivated
// (short passivation timeout), and the next command is timed.

import { PostgresStore } from "@cloudstate/proxy";
import { type Any, tckModelEventSourced as model } from "@cloudstate/protocol";
import { freePort } from "./ports.js";
import type { BenchPostgres } from "./postgres.js";
import { ProcessClient } from "./rpc.js";
import { startProxy, startUserFunction, type StoreChoice } from "./stack.js";
import { countOf, EVENT_VALUE, keyName, PERSISTENCE_ID, processRequest } from "./workload.js";

/** One timed recovery. */
export interface ReplayTiming {
  readonly key: string;
  readonly events: number;
  /** Latency of the recovering command, ms. */
  readonly ms: number;
  readonly events_per_s: number;
  /** Of which loading from the store (the proxy's replay-duration metric), ms. */
  readonly store_load_ms: number;
}

export interface ReplayResult {
  readonly store: "memory" | "postgres";
  /** In order; the first is the first recovery on a fresh proxy. */
  readonly timings: readonly ReplayTiming[];
}

const EMITS_PER_COMMAND = 100;

/** Sums every sample of a metric family in Prometheus text format. */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

interface RecoveryOptions {
  /** Writes the journals through the proxy before the timed recoveries. */
  readonly populate?: (client: ProcessClient, metricsPort: number) => Promise<void>;
  readonly passivationTimeoutMs?: number;
  /**
   * A populated key that a first, throw-away proxy recovers before the measured proxy starts:
   * the user function is then warm, as a long-running one would be, and only the proxy is fresh.
   */
  readonly warmUserFunctionKey?: string;
}

async function timeRecoveries(store: StoreChoice, keys: readonly string[], events: number, options: RecoveryOptions = {}): Promise<ReplayTiming[]> {
  const { populate, passivationTimeoutMs, warmUserFunctionKey } = options;
  const userFunction = await startUserFunction();
  if (warmUserFunctionKey !== undefined) {
    const first = await startProxy({ userFunctionPort: userFunction.port, store });
    const warming = new ProcessClient(first.port);
    try {
      await warming.call(processRequest(warmUserFunctionKey));
    } finally {
      warming.close();
      await first.child.stop();
    }
  }
  const metricsPort = await freePort();
  const proxy = await startProxy({ userFunctionPort: userFunction.port, store, metricsPort, ...(passivationTimeoutMs === undefined ? {} : { passivationTimeoutMs }) });
  const client = new ProcessClient(proxy.port);
  try {
    await client.call(processRequest("replay-warm-up"));
    await populate?.(client, metricsPort);
    const timings: ReplayTiming[] = [];
    for (const key of keys) {
      const loadBefore = await metric(metricsPort, "cloudstate_proxy_replay_duration_seconds_sum");
      const { ms, response } = await client.timed(processRequest(key));
      const loadAfter = await metric(metricsPort, "cloudstate_proxy_replay_duration_seconds_sum");
      const count = countOf(response);
      if (count !== events + 1) throw new Error(`replay of ${key}: the entity counted ${count} events, expected ${events + 1}`);
      timings.push({ key, events, ms: round(ms), events_per_s: Math.round(events / (ms / 1000)), store_load_ms: round((loadAfter - loadBefore) * 1000) });
    }
    return timings;
  } finally {
    client.close();
    await proxy.child.stop();
    await userFunction.child.stop();
  }
}

/** Recovery from PostgreSQL on a fresh proxy (see the module comment). */
export async function replayOnPostgres(postgres: BenchPostgres, events: number, keyCount: number): Promise<ReplayResult> {
  const url = await postgres.createDatabase("bench_replay");
  const keys = Array.from({ length: keyCount }, (_, i) => keyName(i, "replay-"));
  const warmKey = "replay-warm-user-function";
  const store = await PostgresStore.open({ url });
  try {
    const event: Any = { typeUrl: `type.googleapis.com/${model.Persisted.$type}`, value: model.Persisted.encode({ value: EVENT_VALUE }).finish() };
    const journal = Array.from({ length: events }, () => event);
    for (const key of [warmKey, ...keys]) await store.append(PERSISTENCE_ID, key, 0n, journal);
  } finally {
    await store.close();
  }
  return { store: "postgres", timings: await timeRecoveries({ kind: "postgres", url }, keys, events, { warmUserFunctionKey: warmKey }) };
}

/** Recovery from the memory store after passivation (see the module comment). */
export async function replayOnMemory(events: number, keyCount: number): Promise<ReplayResult> {
  const keys = Array.from({ length: keyCount }, (_, i) => keyName(i, "replay-"));
  const populate = async (client: ProcessClient, metricsPort: number): Promise<void> => {
    for (const key of keys) {
      let written = 0;
      while (written < events) {
        const emits = Math.min(EMITS_PER_COMMAND, events - written);
        await client.call(processRequest(key, emits));
        written += emits;
      }
    }
    // Wait until every entity (the warm-up one included) has been passivated.
    const deadline = performance.now() + 30_000;
    while ((await metric(metricsPort, "cloudstate_proxy_active_entities")) > 0) {
      if (performance.now() > deadline) throw new Error("the replay entities were not passivated within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { store: "memory", timings: await timeRecoveries({ kind: "memory" }, keys, events, { populate, passivationTimeoutMs: 1000 }) };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
