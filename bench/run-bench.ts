// The benchmark orchestrator (`make bench`): starts every process, runs (a) the floor, (b) the
// proxy on memory and (c) on PostgreSQL with the same load and process layout, then (d) replay
// and (e) start-up and memory; prints a table and writes reports/bench.json. Every process it
// started is stopped however it ends. See docs/performance.md for the method.
//
//   node bench/dist/run-bench.js [--duration-s 10] [--warmup-s 3] [--concurrency 64] [--keys 1000]
//        [--replay-events 10000] [--replay-keys 3] [--entities 10000] [--startup-runs 5]
//        [--rounds 1] [--skip-postgres] [--profile] [--out reports/bench.json]
//        [--quiet-max-busy 25] [--quiet-wait-s 20] [--nice 0]
//
// Before each measurement it waits (at most --quiet-wait-s) until the machine is nearly idle
// (other work below --quiet-max-busy % of one core over a second), since anything else running
// takes cores from the measured processes; what it found is recorded under "conditions".
// --nice N (negative needs root) runs the orchestrator, and so every process it starts, at that
// scheduling priority, to shield the measurement from other work on a shared machine.
//
// --rounds N repeats (a), (b), (c) in turn N times and reports the median round of each, which
// evens out other work on the machine across the three.
// --profile runs the proxy of (b) and (c) under `node --cpu-prof` (profiles in reports/profiles/;
// summarise them with bench/dist/profile-summary.js); its figures are then those of a profiled
// proxy and go to reports/bench-profiled.json unless --out says otherwise.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, resolve } from "node:path";
import { Flags } from "./args.js";
import { type Quiet, waitForQuiet, type Watched } from "./cpu.js";
import { startPostgres, type BenchPostgres } from "./postgres.js";
import { installCleanupHandlers, onCleanup, stopEverything } from "./processes.js";
import { replayOnMemory, replayOnPostgres } from "./replay.js";
import { benchJson, machine, table, type Figures } from "./report.js";
import { type LoadArgs, type LoadRun, ROOT, runLoadProcess, startFloor, startProxy, startUserFunction, type StoreChoice } from "./stack.js";
import { measureMemory, measureStartup } from "./startup-memory.js";
import { keyName, processRequest } from "./workload.js";

installCleanupHandlers();
const flags = new Flags(process.argv.slice(2));
const load: LoadArgs = {
  concurrency: flags.number("concurrency", 64),
  keys: flags.number("keys", 1000),
  warmupS: flags.number("warmup-s", 3),
  durationS: flags.number("duration-s", 10),
};
const replayEvents = flags.number("replay-events", 10_000);
const replayKeys = flags.number("replay-keys", 3);
const entities = flags.number("entities", 10_000);
const startupRuns = flags.number("startup-runs", 5);
const rounds = flags.number("rounds", 1);
const skipPostgres = flags.flag("skip-postgres");
const profile = flags.flag("profile");
const out = resolve(ROOT, flags.string("out", profile ? "reports/bench-profiled.json" : "reports/bench.json"));
const profileDir = resolve(ROOT, "reports/profiles");
const nice = flags.number("nice", 0);
const quietBusy = flags.number("quiet-max-busy", 25);
const quietWaitS = flags.number("quiet-wait-s", 20);
const conditions: Record<string, Quiet> = {};

/** Waits (bounded) for other work on the machine to stop before a measurement, and records it. */
async function quiet(phase: string): Promise<void> {
  const found = await waitForQuiet(quietBusy, quietWaitS);
  conditions[phase] = found;
  if (found.waited_s > 1 || found.busy_percent > quietBusy) {
    say(`    waited ${found.waited_s} s for a quiet machine; busy ${found.busy_percent}% of one core before starting`);
  }
}

function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

function brief(run: LoadRun): string {
  const r = run.result;
  const errors = r.errors > 0 ? `, ${r.errors} errors (${r.first_error ?? "?"})` : "";
  return `${r.throughput} calls/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms${errors}`;
}

/** (b) and (c): a fresh user function and proxy on `store`, under the load. */
async function proxyLoad(name: string, store: StoreChoice, postgresPid: number | undefined): Promise<LoadRun> {
  const userFunction = await startUserFunction();
  const nodeArgs = profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=proxy-${name}.cpuprofile`] : [];
  const proxy = await startProxy({ userFunctionPort: userFunction.port, store, nodeArgs });
  try {
    const watched: Watched[] = [
      { name: "proxy", pid: proxy.child.pid },
      { name: "user-function", pid: userFunction.child.pid },
      ...(store.kind === "postgres" ? [{ name: "postgres", pid: postgresPid, withChildren: true }] : []),
    ];
    return await runLoadProcess(proxy.port, load, watched);
  } finally {
    await proxy.child.stop();
    await userFunction.child.stop();
  }
}

/** (a): a fresh echo server and relay under the load. */
async function floorLoad(): Promise<LoadRun> {
  const floor = await startFloor();
  try {
    return await runLoadProcess(floor.port, load, [
      { name: "relay", pid: floor.relay.pid },
      { name: "echo-server", pid: floor.echo.pid },
    ]);
  } finally {
    await floor.relay.stop();
    await floor.echo.stop();
  }
}

/** The round with the median throughput (the lower middle one for an even count). */
function median(runs: readonly LoadRun[]): LoadRun | undefined {
  return [...runs].sort((x, y) => x.result.throughput - y.result.throughput)[Math.floor((runs.length - 1) / 2)];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  if (nice !== 0) {
    // Every process the bench starts inherits this priority, so the layout stays the same for all.
    setPriority(nice);
    // With autogroup scheduling (Linux), a nice value only ranks processes within their session;
    // the session's own weight against other sessions is its autogroup's nice.
    if (existsSync("/proc/self/autogroup")) {
      try {
        writeFileSync("/proc/self/autogroup", String(nice));
      } catch (error) {
        say(`could not set the autogroup's nice: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    say(`running at nice ${nice}: the measured processes get more of the cores than other work`);
  }
  const m = machine();
  say(`${m["cpu"]}, ${m["cores"]} cores, node ${m["node"]}; every process shares these cores`);
  let postgres: BenchPostgres | undefined;
  if (!skipPostgres) {
    say("starting PostgreSQL");
    const started = await startPostgres();
    postgres = started;
    onCleanup(() => started.stop());
  }

  const floorRuns: LoadRun[] = [];
  const memoryRuns: LoadRun[] = [];
  const postgresRuns: LoadRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    const of = rounds > 1 ? ` (round ${round} of ${rounds})` : "";
    await quiet(`floor${rounds > 1 ? `_${round}` : ""}`);
    say(`(a) floor: relay + echo server, ${load.concurrency} in flight, ${load.keys} keys, ${load.warmupS} s warm-up + ${load.durationS} s${of}`);
    const floor = await floorLoad();
    floorRuns.push(floor);
    say(`    ${brief(floor)}`);

    await quiet(`es_memory${rounds > 1 ? `_${round}` : ""}`);
    say(`(b) proxy, event-sourced entity, memory store${of}`);
    const esMemory = await proxyLoad("memory", { kind: "memory" }, undefined);
    memoryRuns.push(esMemory);
    say(`    ${brief(esMemory)}`);

    if (postgres !== undefined) {
      await quiet(`es_postgres${rounds > 1 ? `_${round}` : ""}`);
      say(`(c) proxy, event-sourced entity, PostgreSQL store${of}`);
      const esPostgres = await proxyLoad("postgres", { kind: "postgres", url: await postgres.createDatabase(`bench_load_${round}`) }, postgres.pid);
      postgresRuns.push(esPostgres);
      say(`    ${brief(esPostgres)}`);
    }
  }

  await quiet("replay");
  say(`(d) replay of ${replayEvents} events`);
  const replayPostgres = postgres === undefined ? undefined : await replayOnPostgres(postgres, replayEvents, replayKeys);
  const replayMemory = await replayOnMemory(replayEvents, replayKeys);

  await quiet("startup_memory");
  say(`(e) start-up (${startupRuns} fresh proxies) and memory (${entities} entities)`);
  const startup = await measureStartup(startupRuns);
  const memory = await measureMemory(entities, load.concurrency);

  const floor = median(floorRuns);
  const esMemory = median(memoryRuns);
  if (floor === undefined || esMemory === undefined) throw new Error("no load round ran");
  const figures: Figures = {
    floor,
    esMemory,
    esPostgres: median(postgresRuns),
    rounds: { floor: floorRuns, es_memory: memoryRuns, es_postgres: postgresRuns },
    replayPostgres,
    replayMemory,
    startup,
    memory,
    settings: { ...load, rounds, nice, replayEvents, replayKeys, entities, startupRuns, profiled: profile, requestBytes: processRequest(keyName(0)).length },
    conditions,
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(benchJson(figures), null, 2)}\n`);
  process.stdout.write(`\n${table(figures)}\n\nwrote ${out}\n`);
}

try {
  await main();
} catch (error) {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopEverything();
}
