// Starting the measured processes: the floor (echo server + relay), the bench user function, the
// real proxy (node proxy/dist/cli.js), and the load generator, each a separate node process.

import { fileURLToPath } from "node:url";
import { Child, listeningPort } from "./processes.js";
import type { LoadResult } from "./load-generator.js";
import { startCpuWindow, type Watched } from "./cpu.js";

/** The repository root (bench/dist/ is two levels down). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH_DIST = fileURLToPath(new URL("./", import.meta.url));

export interface Floor {
  readonly echo: Child;
  readonly relay: Child;
  readonly port: number;
}

export async function startFloor(): Promise<Floor> {
  const echo = new Child("echo-server", [`${BENCH_DIST}echo-server.js`], { cwd: ROOT });
  const echoPort = await listeningPort(echo);
  const relay = new Child("relay", [`${BENCH_DIST}relay.js`, "--echo", `127.0.0.1:${echoPort}`], { cwd: ROOT });
  return { echo, relay, port: await listeningPort(relay) };
}

export interface UserFunction {
  readonly child: Child;
  readonly port: number;
  /** Wall-clock times (ms since the epoch) at which the user function answered discovery. */
  readonly discoveredAt: number[];
}

export async function startUserFunction(): Promise<UserFunction> {
  // LOG_LEVEL=info: the library logs each discovery with its time (start-up measurement).
  const child = new Child("user-function", [`${BENCH_DIST}user-function.js`], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "info" } });
  const discoveredAt: number[] = [];
  child.onLine((line) => {
    if (!line.includes("discovered by proxy")) return;
    const time = Date.parse(line.slice(0, line.indexOf(" ")));
    if (Number.isFinite(time)) discoveredAt.push(time);
  });
  return { child, port: await listeningPort(child), discoveredAt };
}

export type StoreChoice = { readonly kind: "memory" } | { readonly kind: "postgres"; readonly url: string };

export interface ProxyOptions {
  readonly userFunctionPort: number;
  readonly store: StoreChoice;
  /** Node options before the script (profiling, the memory probe). */
  readonly nodeArgs?: readonly string[];
  readonly passivationTimeoutMs?: number;
  readonly metricsPort?: number;
}

export interface Proxy {
  readonly child: Child;
  readonly port: number;
  /** Wall-clock time of the proxy's "user function discovered" log record. */
  readonly discoveredLogAt: number | undefined;
  /** Wall-clock time of the proxy's "proxy serving" log record. */
  readonly servingLogAt: number | undefined;
  /** performance.now() at which the orchestrator read the "proxy serving" line. */
  readonly servingSeenAt: number;
}

interface LogRecord {
  readonly time?: string;
  readonly msg?: string;
  readonly address?: string;
}

function parseRecord(line: string): LogRecord | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as LogRecord;
  } catch {
    return undefined;
  }
}

/** Spawns the proxy and resolves once it logs that it serves. */
export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const args = [
    ...(options.nodeArgs ?? []),
    `${ROOT}proxy/dist/cli.js`,
    "--http-port=0",
    // The HTTP/JSON port too: its default (9001) would clash with any other proxy on the machine.
    "--http-json-port=0",
    `--metrics-port=${options.metricsPort ?? 0}`,
    `--user-function-port=${options.userFunctionPort}`,
    "--log-level=info",
    "--shutdown-grace-ms=2000",
    `--passivation-timeout-ms=${options.passivationTimeoutMs ?? 600_000}`,
    `--store=${options.store.kind}`,
  ];
  const env = { ...process.env };
  // The URL holds a password: through the environment, not the command line.
  if (options.store.kind === "postgres") env["POSTGRES_URL"] = options.store.url;
  const child = new Child(`proxy (${options.store.kind})`, args, { cwd: ROOT, env });
  let discoveredLogAt: number | undefined;
  child.onLine((line) => {
    const record = parseRecord(line);
    if (record?.msg === "user function discovered" && record.time !== undefined) discoveredLogAt = Date.parse(record.time);
  });
  const serving = await child.waitForLine((line) => parseRecord(line)?.msg === "proxy serving", 30_000);
  const record = parseRecord(serving.line);
  const port = Number(record?.address?.split(":").pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`cannot read the proxy's port from ${serving.line}`);
  return {
    child,
    port,
    discoveredLogAt,
    servingLogAt: record?.time === undefined ? undefined : Date.parse(record.time),
    servingSeenAt: serving.at,
  };
}

export interface LoadRun {
  readonly result: LoadResult;
  /** CPU use of each watched process during the measured window, in % of one core. */
  readonly cpu: Record<string, number>;
}

export interface LoadArgs {
  readonly concurrency: number;
  readonly keys: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly keyPrefix?: string;
  readonly keyOffset?: number;
  readonly once?: boolean;
}

/** Runs bench/load-generator.js against `port` and samples the watched processes' CPU in its window. */
export async function runLoadProcess(port: number, load: LoadArgs, watched: readonly Watched[]): Promise<LoadRun> {
  const args = [
    `${BENCH_DIST}load-generator.js`,
    `--target=127.0.0.1:${port}`,
    `--concurrency=${load.concurrency}`,
    `--keys=${load.keys}`,
    `--warmup-s=${load.warmupS}`,
    `--duration-s=${load.durationS}`,
    `--key-prefix=${load.keyPrefix ?? "key-"}`,
    `--key-offset=${load.keyOffset ?? 0}`,
    ...(load.once ? ["--once"] : []),
  ];
  const child = new Child("load-generator", args, { cwd: ROOT });
  let finish: ((loadGenerator: number) => Record<string, number>) | undefined;
  child.onLine((line) => {
    if (line === "WINDOW start") finish = startCpuWindow(watched);
  });
  // The window's end is read when the result (with the load generator's own CPU) arrives, a
  // few ms after the window closed: close enough for a share of cores.
  const timeoutMs = (load.warmupS + load.durationS) * 1000 + 120_000;
  const { line } = await child.waitForLine((l) => l.startsWith("RESULT "), timeoutMs);
  const result = JSON.parse(line.slice("RESULT ".length)) as LoadResult;
  const cpu = finish?.(result.cpu_percent) ?? {};
  await child.whenExited();
  return { result, cpu: { "load-generator": result.cpu_percent, ...cpu } };
}
