// The load generator: a separate process that keeps a fixed number of unary Process calls in
// flight against a target (the floor relay or the proxy), over one HTTP/2 connection, and records
// every call's latency. Worker w owns keys w, w + concurrency, w + 2·concurrency, ... and calls
// them round robin, so every key is active after the first `keys` calls and no two calls in
// flight ever share a key (no queueing behind a key, which would measure the load's shape rather
// than the server). Requests are encoded once per key up front. The measured window opens after
// the warm-up time and once every key has answered (so entity activation is not measured).
//
//   node bench/dist/load-generator.js --target 127.0.0.1:9000 [--concurrency 64] [--keys 1000]
//        [--warmup-s 3] [--duration-s 10] [--key-prefix key-] [--key-offset 0] [--once]
//
// Prints `WINDOW start` and `WINDOW end` when the measured window opens and closes (so the
// orchestrator can sample the other processes' CPU), then one line
// `RESULT {"throughput":…,"p50_ms":…,"p99_ms":…,…}` on stdout. With --once it calls every key
// exactly once (concurrency still applies) and reports those calls: used to activate a known
// number of entities.

import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { pathToFileURL } from "node:url";
import { Flags } from "./args.js";
import { keyName, PROCESS_PATH, processRequest } from "./workload.js";

/** What to run. */
export interface LoadOptions {
  /** host:port of the server. */
  readonly target: string;
  readonly concurrency: number;
  readonly keys: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly keyPrefix?: string;
  /** Number of the first key (keys are keyPrefix + zero-padded number). */
  readonly keyOffset?: number;
  /** Call every key exactly once instead of running for a duration. */
  readonly once?: boolean;
  /** Told when the measured window starts and ends (not with `once`). */
  readonly onWindow?: (edge: "start" | "end") => void;
}

/** What a run measured. Latencies are of calls completed within the measured window. */
export interface LoadResult {
  /** Completed calls per second within the measured window. */
  readonly throughput: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly p999_ms: number;
  readonly max_ms: number;
  readonly mean_ms: number;
  readonly calls: number;
  readonly errors: number;
  readonly first_error?: string;
  readonly window_s: number;
  /** How long the warm-up actually took: at least the asked time, and until every key answered once. */
  readonly warmup_s: number;
  /** CPU the load generator itself used in the window, in % of one core. */
  readonly cpu_percent: number;
}

const passthrough = (b: Buffer): Buffer => b;

/** Runs the load; resolves with the measurements (see the module comment). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const client = new Client(options.target, credentials.createInsecure());
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  const offset = options.keyOffset ?? 0;
  const requests = Array.from({ length: options.keys }, (_, i) => processRequest(keyName(offset + i, options.keyPrefix)));
  const metadata = new Metadata();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let measureFrom = Number.POSITIVE_INFINITY;
  let measureTo = Number.POSITIVE_INFINITY;
  let stopAt = Number.POSITIVE_INFINITY;
  let lastEnd = 0;
  let cpuFrom = process.cpuUsage();
  let cpuPercent = 0;
  let calls = 0;
  // The window opens once the warm-up time has passed and every key has answered once (every
  // entity is active), whichever comes last; a slow machine gets a longer warm-up.
  const answered = new Uint8Array(options.keys);
  let unanswered = options.keys;
  let warmupOver = false;
  const loadStarted = performance.now();

  const result = await new Promise<LoadResult>((resolve) => {
    let running = Math.min(options.concurrency, options.keys);
    const finished = (): void => {
      if (--running > 0) return;
      client.close();
      const window = options.once ? (lastEnd - measureFrom) / 1000 : options.durationS;
      const warmup = options.once ? 0 : (measureFrom - loadStarted) / 1000;
      resolve(summarise(latencies, calls, window, errors, firstError, cpuPercent, warmup));
    };
    const worker = (w: number): void => {
      let next = w;
      const call = (): void => {
        if (options.once ? next >= options.keys : performance.now() >= stopAt) {
          closeWindow();
          finished();
          return;
        }
        const index = next;
        const request = requests[index] ?? Buffer.alloc(0);
        next += options.concurrency;
        if (next >= options.keys && !options.once) next = w;
        const started = performance.now();
        client.makeUnaryRequest(PROCESS_PATH, passthrough, passthrough, request, metadata, {}, (error: ServiceError | null) => {
          const ended = performance.now();
          if (error) {
            errors++;
            firstError ??= `${error.code} ${error.details}`;
          } else {
            if (ended >= measureFrom && ended < measureTo) {
              calls++;
              latencies.push(ended - started);
            }
            if (answered[index] === 0) {
              answered[index] = 1;
              if (--unanswered === 0 && warmupOver) openWindow();
            }
          }
          lastEnd = ended;
          call();
        });
      };
      call();
    };
    const openWindow = (): void => {
      if (measureFrom !== Number.POSITIVE_INFINITY) return;
      measureFrom = performance.now();
      measureTo = measureFrom + options.durationS * 1000;
      stopAt = measureTo;
      cpuFrom = process.cpuUsage();
      options.onWindow?.("start");
      setTimeout(closeWindow, measureTo - measureFrom);
    };
    // Called by the timer or by the first worker that sees the window over, whichever is first
    // (a late timer must not miss the CPU sample).
    let windowClosed = false;
    const closeWindow = (): void => {
      if (windowClosed || options.once) return;
      windowClosed = true;
      const used = process.cpuUsage(cpuFrom);
      cpuPercent = Math.round((used.user + used.system) / ((performance.now() - measureFrom) * 10));
      options.onWindow?.("end");
    };
    if (options.once) {
      measureFrom = performance.now();
    } else {
      setTimeout(() => {
        warmupOver = true;
        if (unanswered === 0) openWindow();
      }, options.warmupS * 1000);
      // Keys that keep failing must not hold the window shut forever.
      setTimeout(openWindow, (options.warmupS + 120) * 1000).unref();
    }
    for (let w = 0; w < running; w++) worker(w);
    if (running === 0) finished();
  });
  return result;
}

function summarise(latencies: number[], calls: number, windowS: number, errors: number, firstError: string | undefined, cpuPercent: number, warmupS: number): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    throughput: Math.round(windowS > 0 ? calls / windowS : 0),
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    p999_ms: at(0.999),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    mean_ms: round(sorted.length > 0 ? sum / sorted.length : Number.NaN),
    calls,
    errors,
    ...(firstError === undefined ? {} : { first_error: firstError }),
    window_s: round(windowS),
    warmup_s: round(warmupS),
    cpu_percent: cpuPercent,
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2));
  const result = await runLoad({
    target: flags.string("target"),
    concurrency: flags.number("concurrency", 64),
    keys: flags.number("keys", 1000),
    warmupS: flags.number("warmup-s", 3),
    durationS: flags.number("duration-s", 10),
    keyPrefix: flags.string("key-prefix", "key-"),
    keyOffset: flags.number("key-offset", 0),
    once: flags.flag("once"),
    onWindow: (edge) => process.stdout.write(`WINDOW ${edge}\n`),
  });
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
