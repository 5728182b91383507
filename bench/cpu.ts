// CPU time of processes, from /proc (Linux), to show how the two cores are shared during a run.

import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface Stat {
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly cpu: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces: fields are counted after its closing paren.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { ppid, cpu: (utime + stime) / TICKS_PER_SECOND };
}

/** CPU seconds used so far by `pid`, and by its direct children when `withChildren` (PostgreSQL's backends). */
export function cpuSeconds(pid: number | undefined, withChildren = false): number {
  if (pid === undefined) return 0;
  let total = stat(pid)?.cpu ?? 0;
  if (withChildren) {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const child = stat(Number(entry));
      if (child?.ppid === pid) total += child.cpu;
    }
  }
  return total;
}

/** A process whose CPU use is sampled during a measured window. */
export interface Watched {
  readonly name: string;
  readonly pid: number | undefined;
  readonly withChildren?: boolean;
}

/**
 * Samples the watched processes and the machine now; call the result at the window's end for
 * each one's CPU use in % of one core, plus `machine` (everything) and `other` (the machine
 * minus the watched processes and the load generator, whose own figure is `loadGenerator`).
 */
export function startCpuWindow(watched: readonly Watched[]): (loadGenerator: number) => Record<string, number> {
  const started = performance.now();
  const before = watched.map((w) => cpuSeconds(w.pid, w.withChildren));
  const machine = machineCpuSince();
  return (loadGenerator) => {
    const seconds = (performance.now() - started) / 1000;
    const out: Record<string, number> = {};
    let ours = loadGenerator;
    watched.forEach((w, i) => {
      const percent = Math.round(((cpuSeconds(w.pid, w.withChildren) - (before[i] ?? 0)) / seconds) * 100);
      out[w.name] = percent;
      ours += percent;
    });
    out["machine"] = machine();
    out["other"] = Math.max(0, out["machine"] - ours);
    return out;
  };
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the not-busy columns.
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Starts measuring the whole machine's CPU use; the result gives % of one core used since. */
export function machineCpuSince(): () => number {
  const before = machineTicks();
  const cores = readFileSync("/proc/stat", "utf8")
    .split("\n")
    .filter((l) => /^cpu\d/.test(l)).length;
  return () => {
    const after = machineTicks();
    const total = after.total - before.total;
    return total > 0 ? Math.round(((after.busy - before.busy) / total) * 100 * cores) : 0;
  };
}

/** What {@link waitForQuiet} found. */
export interface Quiet {
  readonly waited_s: number;
  /** CPU busy on the machine in the last second before the measurement, % of one core. */
  readonly busy_percent: number;
  readonly load_average_1m: number;
}

/**
 * Waits until the machine is nearly idle (at most `maxBusyPercent` of one core busy over a
 * second), for at most `maxWaitS`: other work on the machine would take cores from the measured
 * processes. Resolves with how long it waited and the last busy figure.
 */
export async function waitForQuiet(maxBusyPercent: number, maxWaitS: number): Promise<Quiet> {
  const started = performance.now();
  for (;;) {
    const busy = machineCpuSince();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const percent = busy();
    const waited = (performance.now() - started) / 1000;
    if (percent <= maxBusyPercent || waited >= maxWaitS) return { waited_s: Math.round(waited), busy_percent: percent, load_average_1m: loadavg()[0] ?? 0 };
  }
}
