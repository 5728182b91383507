import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { grpcHealth } from "@cloudstate/protocol";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";

/** The reference proxy's command line, built by `npx tsc --build`. */
const PROXY_CLI = fileURLToPath(new URL("../../../../proxy/dist/cli.js", import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** An example running as a real deployment would: its user function process behind the reference proxy. */
export interface RunningExample {
  /** Where gRPC clients call the example's services: the proxy. */
  readonly address: string;
  /** Where browsers and curl call the same services: the proxy's HTTP/JSON and gRPC-web port, as `http://host:port`. */
  readonly httpUrl: string;
  /** What both processes wrote to stderr so far (for failure messages). */
  logs(): string;
  /** SIGTERM to both (proxy first), SIGKILL to whatever is still running after a grace period. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/main.js` in `exampleDir` on a free port and the reference
 * proxy (`proxy/dist/cli.js`) in front of it on another, and resolves once the
 * proxy reports SERVING (it has discovered the user function). On any failure
 * both processes are stopped before the error is thrown.
 */
export async function runBehindProxy(exampleDir: string): Promise<RunningExample> {
  const userFunctionPort = await freePort();
  const proxyPort = await freePort();
  const httpJsonPort = await freePort();
  const address = `127.0.0.1:${proxyPort}`;
  const logs: string[] = [];
  const userFunction = start("user function", "node", ["dist/main.js"], exampleDir, { HOST: "127.0.0.1", PORT: String(userFunctionPort), LOG_LEVEL: "warn" }, logs);
  const proxy = start(
    "proxy",
    "node",
    [PROXY_CLI, "--user-function-port", String(userFunctionPort), "--http-port", String(proxyPort), "--http-json-port", String(httpJsonPort), "--metrics-port", "0", "--shutdown-grace-ms", "1000"],
    exampleDir,
    { LOG_LEVEL: "warn" },
    logs,
  );
  const running: RunningExample = {
    address,
    httpUrl: `http://127.0.0.1:${httpJsonPort}`,
    logs: () => logs.join(""),
    stop: async () => {
      await stopProcess(proxy);
      await stopProcess(userFunction);
    },
  };
  try {
    await waitServing(address, [userFunction, proxy]);
  } catch (error) {
    await running.stop();
    throw new Error(`the example did not start behind the proxy: ${error instanceof Error ? error.message : String(error)}\n${running.logs()}`, { cause: error });
  }
  return running;
}

function start(name: string, command: string, args: string[], cwd: string, env: Record<string, string>, logs: string[]): ChildProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr.on("data", (chunk: Buffer) => logs.push(`[${name}] ${chunk.toString("utf8")}`));
  child.on("error", (error) => logs.push(`[${name}] could not start: ${error.message}\n`));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}

/** Polls the proxy's gRPC health service until it reports SERVING. */
async function waitServing(address: string, children: ChildProcess[]): Promise<void> {
  const client = new grpcHealth.HealthClient(address, credentials.createInsecure());
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      const dead = children.find(exited);
      if (dead) throw new Error(`a process exited with ${dead.exitCode ?? dead.signalCode ?? "?"}`);
      const serving = await new Promise<boolean>((resolve) =>
        client.check({ service: "" }, new Metadata(), { deadline: Date.now() + 1000 }, (error: ServiceError | null, response?: grpcHealth.HealthCheckResponse) =>
          resolve(error === null && response?.status === grpcHealth.HealthCheckResponse_ServingStatus.SERVING),
        ),
      );
      if (serving) return;
      if (Date.now() > deadline) throw new Error(`the proxy at ${address} was not serving after ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.close();
  }
}

/** A loopback port that was free a moment ago (the OS picks it; a child binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
