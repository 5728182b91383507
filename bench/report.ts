// The bench's outputs: reports/bench.json (fixed top-level shape, details under other keys) and
// the table printed at the end of a run, with the targets marked PASS or MISS.

import { cpus, release, totalmem } from "node:os";
import { readFileSync } from "node:fs";
import type { Quiet } from "./cpu.js";
import type { LoadRun } from "./stack.js";
import type { ReplayResult } from "./replay.js";
import type { MemoryResult, StartupResult } from "./startup-memory.js";

export interface Figures {
  readonly floor: LoadRun;
  readonly esMemory: LoadRun;
  readonly esPostgres: LoadRun | undefined;
  /** Every round of (a), (b), (c), in order; the figures above are the median rounds. */
  readonly rounds: { readonly floor: readonly LoadRun[]; readonly es_memory: readonly LoadRun[]; readonly es_postgres: readonly LoadRun[] };
  readonly replayPostgres: ReplayResult | undefined;
  readonly replayMemory: ReplayResult;
  readonly startup: StartupResult;
  readonly memory: MemoryResult;
  readonly settings: Record<string, number | string | boolean>;
  readonly conditions: Record<string, Quiet>;
  readonly startedAt: string;
  readonly durationS: number;
}

interface Target {
  readonly name: string;
  readonly value: string;
  readonly goal: string;
  readonly pass: boolean | undefined;
}

/** Machine description: CPU model and count, memory, kernel, node. */
export function machine(): Record<string, string | number> {
  let model = cpus()[0]?.model ?? "?";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line !== undefined) model = line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // Not Linux: os.cpus() named it already.
  }
  return { cpu: model, cores: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN);

function load(run: LoadRun): { throughput: number; p50_ms: number; p99_ms: number } {
  return { throughput: run.result.throughput, p50_ms: run.result.p50_ms, p99_ms: run.result.p99_ms };
}

function targets(f: Figures): Target[] {
  const a = f.floor.result;
  const b = f.esMemory.result;
  const c = f.esPostgres?.result;
  const replay = f.replayPostgres?.timings[0] ?? f.replayMemory.timings[0];
  const bOverA = ratio(b.throughput, a.throughput);
  const p99 = ratio(b.p99_ms, a.p99_ms);
  const cOverB = c === undefined ? Number.NaN : ratio(c.throughput, b.throughput);
  const readyAfterDiscovery = f.startup.median.discovery_to_first_call_ms;
  return [
    { name: "(b)/(a) throughput", value: bOverA.toFixed(3), goal: ">= 0.8", pass: bOverA >= 0.8 },
    { name: "(b)/(a) p99", value: p99.toFixed(3), goal: "<= 2", pass: p99 <= 2 },
    { name: "(c)/(b) throughput", value: Number.isNaN(cOverB) ? "n/a" : cOverB.toFixed(3), goal: ">= 0.5", pass: Number.isNaN(cOverB) ? undefined : cOverB >= 0.5 },
    { name: "replay events/s", value: replay === undefined ? "n/a" : String(replay.events_per_s), goal: ">= 50000", pass: replay === undefined ? undefined : replay.events_per_s >= 50_000 },
    {
      name: "ready after discovery",
      value: readyAfterDiscovery === null ? "n/a" : `${readyAfterDiscovery} ms`,
      goal: "<= 1000 ms",
      pass: readyAfterDiscovery === null ? undefined : readyAfterDiscovery <= 1000,
    },
  ];
}

/** The content of reports/bench.json. */
export function benchJson(f: Figures): Record<string, unknown> {
  const replay = f.replayPostgres?.timings[0] ?? f.replayMemory.timings[0];
  return {
    floor: load(f.floor),
    es_memory: load(f.esMemory),
    es_postgres: f.esPostgres === undefined ? null : load(f.esPostgres),
    replay_events_per_s: replay?.events_per_s ?? null,
    ready_ms: f.startup.median.ready_ms,
    memory_per_entity_bytes: f.memory.bytes_per_entity,
    ratios: {
      es_memory_over_floor_throughput: ratio(f.esMemory.result.throughput, f.floor.result.throughput),
      es_memory_over_floor_p99: ratio(f.esMemory.result.p99_ms, f.floor.result.p99_ms),
      es_postgres_over_es_memory_throughput: f.esPostgres === undefined ? null : ratio(f.esPostgres.result.throughput, f.esMemory.result.throughput),
    },
    targets: Object.fromEntries(targets(f).map((t) => [t.name, { value: t.value, goal: t.goal, pass: t.pass ?? null }])),
    details: {
      load: { floor: f.floor, es_memory: f.esMemory, es_postgres: f.esPostgres ?? null },
      rounds: f.rounds,
      replay: { postgres: f.replayPostgres ?? null, memory: f.replayMemory },
      startup: f.startup,
      memory: f.memory,
    },
    settings: f.settings,
    conditions: f.conditions,
    machine: machine(),
    started_at: f.startedAt,
    duration_s: f.durationS,
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** CPU share of each process, and CPU time per call of ours (robust to other work on the machine). */
function cpuLine(run: LoadRun): string {
  const calls = run.result.throughput;
  return Object.entries(run.cpu)
    .map(([name, percent]) => (name === "machine" || name === "other" || calls === 0 ? `${name} ${percent}%` : `${name} ${percent}% (${Math.round((percent * 1e4) / calls)} µs/call)`))
    .join(", ");
}

/** The human-readable summary. */
export function table(f: Figures): string {
  const rows: [string, LoadRun | undefined][] = [
    ["(a) floor: grpc-js relay + echo", f.floor],
    ["(b) proxy, event-sourced, memory", f.esMemory],
    ["(c) proxy, event-sourced, postgres", f.esPostgres],
  ];
  const out: string[] = [];
  out.push(`${pad("measurement", 38)}${pad("calls/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}errors`);
  for (const [name, run] of rows) {
    if (run === undefined) {
      out.push(`${pad(name, 38)}skipped`);
      continue;
    }
    const r = run.result;
    out.push(`${pad(name, 38)}${pad(String(r.throughput), 10)}${pad(r.p50_ms.toFixed(2), 9)}${pad(r.p99_ms.toFixed(2), 9)}${r.errors}`);
  }
  const roundCount = f.rounds.floor.length;
  if (roundCount > 1) {
    out.push(`median round of ${roundCount}; calls/s of each round:`);
    for (const [name, runs] of Object.entries(f.rounds)) out.push(`  ${pad(name, 12)}${runs.map((r) => r.result.throughput).join(", ")}`);
  }
  out.push("");
  out.push("CPU in the measured window (% of one core; machine = everything, other = not ours):");
  for (const [name, run] of rows) if (run !== undefined) out.push(`  ${pad(name.slice(0, 4), 5)}${cpuLine(run)}`);
  out.push("");
  for (const replay of [f.replayPostgres, f.replayMemory]) {
    if (replay === undefined) continue;
    const each = replay.timings.map((t) => `${t.events_per_s} ev/s (${t.ms} ms, store ${t.store_load_ms} ms)`).join("; ");
    out.push(`(d) replay of ${replay.timings[0]?.events ?? "?"} events, ${replay.store}: ${each}`);
  }
  const s = f.startup.median;
  out.push(
    `(e) start-up (median of ${f.startup.runs.length}): spawn to first answer ${s.ready_ms} ms; spawn to discovery ${s.spawn_to_discovery_ms ?? "?"} ms; ` +
      `discovery to first answer ${s.discovery_to_first_call_ms ?? "?"} ms`,
  );
  const m = f.memory;
  out.push(
    `(e) memory per active entity (${m.entities} entities, after GC): ${m.bytes_per_entity} B ` +
      `(heap ${m.heap_bytes_per_entity} B + external ${m.external_bytes_per_entity} B; RSS ${m.rss_bytes_per_entity} B)`,
  );
  out.push("");
  out.push("targets:");
  for (const t of targets(f)) {
    const verdict = t.pass === undefined ? "n/a " : t.pass ? "PASS" : "MISS";
    out.push(`  ${verdict}  ${pad(t.name, 24)}${pad(t.value, 12)}(goal ${t.goal})`);
  }
  return out.join("\n");
}
