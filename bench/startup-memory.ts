// (e) Start-up time and memory per active entity of the proxy.
//
// Start-up: with the user function already up, the proxy is spawned and called as soon as it
// logs that it serves; ready = spawn to the first successful call's answer (which also activates
// the first entity). The user function logs when it answers discovery, which gives
// discovery-to-serving. Repeated on fresh proxies; the median is reported.
//
// Memory: a proxy started with a preloaded probe (bench/mem-probe.ts) that prints its memory
// after two full GCs on SIGUSR2. After warming up with 100 entities, N more entities are
// activated (one call each, by the load generator) and the difference is divided by N.

import { fileURLToPath, pathToFileURL } from "node:url";
import type { Child } from "./processes.js";
import { ProcessClient } from "./rpc.js";
import { runLoadProcess, startProxy, startUserFunction } from "./stack.js";
import { processRequest } from "./workload.js";

export interface StartupTiming {
  /** Spawn of `node proxy/dist/cli.js` to the answer of its first call. */
  readonly ready_ms: number;
  /** Spawn to the user function answering discovery. */
  readonly spawn_to_discovery_ms: number | null;
  /** The user function answering discovery to the first call's answer. */
  readonly discovery_to_first_call_ms: number | null;
  /** The user function answering discovery to the proxy's "proxy serving" log record. */
  readonly discovery_to_serving_log_ms: number | null;
}

export interface StartupResult {
  readonly runs: readonly StartupTiming[];
  readonly median: StartupTiming;
}

interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryResult {
  readonly entities: number;
  readonly before: MemorySample;
  readonly after: MemorySample;
  /** Per entity: heapUsed + external delta after full GCs. */
  readonly bytes_per_entity: number;
  readonly heap_bytes_per_entity: number;
  readonly external_bytes_per_entity: number;
  readonly rss_bytes_per_entity: number;
}

const PROBE = pathToFileURL(fileURLToPath(new URL("./mem-probe.js", import.meta.url))).href;

async function firstCall(port: number): Promise<void> {
  const client = new ProcessClient(port);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.call(processRequest("startup-probe"), 10_000);
        return;
      } catch (error) {
        if (attempt >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  } finally {
    client.close();
  }
}

/** Spawns fresh proxies `runs` times against one user function and times them to their first answer. */
export async function measureStartup(runs: number): Promise<StartupResult> {
  const userFunction = await startUserFunction();
  const timings: StartupTiming[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const proxy = await startProxy({ userFunctionPort: userFunction.port, store: { kind: "memory" } });
      await firstCall(proxy.port);
      const readyAt = performance.now();
      const readyEpoch = Date.now();
      const spawnedEpoch = proxy.child.spawnedAtEpoch;
      const discovered = userFunction.discoveredAt.find((t) => t >= spawnedEpoch - 5);
      timings.push({
        ready_ms: Math.round(readyAt - proxy.child.spawnedAt),
        spawn_to_discovery_ms: discovered === undefined ? null : discovered - spawnedEpoch,
        discovery_to_first_call_ms: discovered === undefined ? null : readyEpoch - discovered,
        discovery_to_serving_log_ms: discovered === undefined || proxy.servingLogAt === undefined ? null : proxy.servingLogAt - discovered,
      });
      await proxy.child.stop();
    }
  } finally {
    await userFunction.child.stop();
  }
  const sorted = [...timings].sort((a, b) => a.ready_ms - b.ready_ms);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) throw new Error("no start-up run");
  return { runs: timings, median };
}

async function sample(proxy: Child): Promise<MemorySample> {
  const line = proxy.waitForLine((l) => l.startsWith("BENCH_MEMORY "), 30_000);
  proxy.signal("SIGUSR2");
  const { line: text } = await line;
  const parsed = JSON.parse(text.slice("BENCH_MEMORY ".length)) as MemorySample & { gc: boolean };
  if (!parsed.gc) throw new Error("the memory probe has no gc(): was the proxy started with --expose-gc?");
  return { rss: parsed.rss, heapUsed: parsed.heapUsed, heapTotal: parsed.heapTotal, external: parsed.external, arrayBuffers: parsed.arrayBuffers };
}

/** Activates `entities` entities on a probed proxy and measures what they hold. */
export async function measureMemory(entities: number, concurrency: number): Promise<MemoryResult> {
  const userFunction = await startUserFunction();
  const proxy = await startProxy({ userFunctionPort: userFunction.port, store: { kind: "memory" }, nodeArgs: ["--expose-gc", `--import=${PROBE}`] });
  try {
    const load = { concurrency, warmupS: 0, durationS: 0, once: true };
    await runLoadProcess(proxy.port, { ...load, keys: 100, keyPrefix: "mem-warm-" }, []);
    const before = await sample(proxy.child);
    const run = await runLoadProcess(proxy.port, { ...load, keys: entities, keyPrefix: "mem-" }, []);
    if (run.result.errors > 0) throw new Error(`activating entities failed: ${run.result.first_error ?? "?"}`);
    const after = await sample(proxy.child);
    const per = (field: keyof MemorySample): number => Math.round((after[field] - before[field]) / entities);
    return {
      entities,
      before,
      after,
      bytes_per_entity: per("heapUsed") + per("external"),
      heap_bytes_per_entity: per("heapUsed"),
      external_bytes_per_entity: per("external"),
      rss_bytes_per_entity: per("rss"),
    };
  } finally {
    await proxy.child.stop();
    await userFunction.child.stop();
  }
}
