// The proxy as a real child process (`node proxy/dist/cli.js`), on free ports, with its log
// captured, for the end-to-end tests.

import { fileURLToPath } from "node:url";
import { grpcHealth } from "@cloudstate/protocol";
import { freePort } from "./free-port.js";
import { type ExitStatus, ManagedProcess } from "./managed-process.js";
import { TckClients } from "./tck-clients.js";
import { waitFor } from "./wait.js";

/** The built proxy CLI (`npx tsc --build` builds it). */
export const PROXY_CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  readonly userFunctionPort: number;
  /** Flags by name (`"--store": "postgres"`), added to or replacing the test defaults. */
  readonly flags?: Readonly<Record<string, string>>;
  /** Wait until the proxy serves (default true); false for tests of a proxy that must not serve. */
  readonly waitUntilServing?: boolean;
  /** Bound of the wait for serving; default 15 s. */
  readonly timeoutMs?: number;
}

/** Short timeouts, so that failure paths end quickly in tests. */
const TEST_DEFAULTS: Readonly<Record<string, string>> = {
  "--http-port": "0",
  "--http-json-port": "0",
  "--command-timeout-ms": "2000",
  "--discovery-retry-min-ms": "50",
  "--discovery-retry-max-ms": "500",
  "--shutdown-grace-ms": "5000",
  "--log-level": "info",
};

const SERVING = /"msg":"proxy serving".*"address":"[^"]*:(\d+)"/;
const SERVING_HTTP = /"msg":"proxy serving".*"httpJsonAddress":"[^"]*:(\d+)"/;

/** A running proxy process. */
export class ProxyProcess {
  private servingPort: number | undefined;
  private servingHttpPort: number | undefined;
  private clientsOf: TckClients | undefined;

  constructor(
    readonly process: ManagedProcess,
    readonly metricsPort: number,
  ) {}

  /** The port of the user services, once serving. */
  get port(): number {
    if (this.servingPort === undefined) throw new Error("the proxy is not serving (yet)");
    return this.servingPort;
  }

  /** The port of the HTTP/JSON and gRPC-web frontend, once serving. */
  get httpJsonPort(): number {
    if (this.servingHttpPort === undefined) throw new Error("the proxy is not serving (yet)");
    return this.servingHttpPort;
  }

  /** Clients of the TCK model services through this proxy (closed by stop/kill). */
  get clients(): TckClients {
    this.clientsOf ??= new TckClients(`127.0.0.1:${this.port}`);
    return this.clientsOf;
  }

  /** Waits until the proxy logged that it serves and its health service answers SERVING. */
  async waitUntilServing(timeoutMs = 15_000): Promise<void> {
    const match = await this.process.waitForLine(SERVING, timeoutMs);
    this.servingPort = Number(match[1]);
    const http = this.process.output().map((line) => SERVING_HTTP.exec(line)).find((m) => m !== null);
    if (http != null) this.servingHttpPort = Number(http[1]);
    await waitFor(
      "the proxy's health service to answer SERVING",
      async () => {
        const outcome = await this.clients.healthCheck();
        return outcome.ok && outcome.value.status === grpcHealth.HealthCheckResponse_ServingStatus.SERVING;
      },
      timeoutMs,
    );
  }

  /** Whether the proxy has logged that it serves. */
  hasServed(): boolean {
    return this.process.output().some((line) => SERVING.test(line));
  }

  /** The Prometheus text of /metrics. */
  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    return response.text();
  }

  /** GET /healthz's status code. */
  async healthz(): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/healthz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  }

  /** The value of one metric series whose labels include `labels` (0 when absent). */
  async metric(name: string, labels: Readonly<Record<string, string>>): Promise<number> {
    return metricValue(await this.metrics(), name, labels);
  }

  /** Log records (parsed JSON lines) whose `msg` is `message`. */
  logRecords(message: string): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.process.output()) {
      if (!line.startsWith("{")) continue;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record["msg"] === message) records.push(record);
      } catch {
        // Not a log record.
      }
    }
    return records;
  }

  /** SIGTERM and wait for the exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    this.clientsOf?.close();
    return this.process.stop(graceMs);
  }

  async kill(): Promise<ExitStatus> {
    this.clientsOf?.close();
    return this.process.kill();
  }
}

/** Spawns the proxy in front of the user function on `userFunctionPort` and (by default) waits until it serves. */
export async function startProxy(options: ProxyOptions): Promise<ProxyProcess> {
  const metricsPort = await freePort();
  const flags: Record<string, string> = {
    ...TEST_DEFAULTS,
    "--metrics-port": String(metricsPort),
    "--user-function-port": String(options.userFunctionPort),
    ...options.flags,
  };
  const args = Object.entries(flags).flatMap(([flag, value]) => [flag, value]);
  const proxy = new ProxyProcess(new ManagedProcess("proxy", PROXY_CLI, args), metricsPort);
  if (options.waitUntilServing ?? true) {
    try {
      await proxy.waitUntilServing(options.timeoutMs);
    } catch (error) {
      await proxy.kill();
      throw error;
    }
  }
  return proxy;
}

/** Reads one series from Prometheus text: the sum over series of `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf("{");
    const close = line.lastIndexOf("}");
    const labelText = open >= 0 && close > open ? line.slice(open + 1, close) : "";
    const present = new Map<string, string>();
    for (const m of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) present.set(m[1] ?? "", m[2] ?? "");
    if (!Object.entries(labels).every(([k, v]) => present.get(k) === v)) continue;
    total += Number(line.slice((close >= 0 ? close + 1 : name.length)).trim().split(" ")[0]);
  }
  return total;
}
