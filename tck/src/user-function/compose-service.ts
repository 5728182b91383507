import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TckLogger } from "../report/tck-logger.js";
import { OutputTail } from "./output-tail.js";
import { type RunningUserFunction, type StartOptions, UserFunctionStartError } from "./running-user-function.js";

// Reading logs is quick; this only guards against a wedged docker.
const LOGS_TIMEOUT_MS = 10_000;

/** A container to run with `docker compose`. */
export interface ComposeService {
  /** The whole compose file (one service). */
  readonly composeYaml: string;
  /** `host:port` where the TCK reaches the container (a published port). */
  readonly address: string;
  /** What it runs, for the log line: e.g. "image example/uf:1.0". */
  readonly description: string;
}

/**
 * Runs a compose file with `docker compose` (binary from PATH, or the DOCKER
 * variable) under a project name of its own, so parallel runs do not collide.
 * Used for user functions and proxies given as images.
 */
export async function startComposeService(service: ComposeService, logger: TckLogger, options: StartOptions = {}): Promise<RunningUserFunction> {
  const env = options.env ?? process.env;
  const docker = env["DOCKER"] ?? "docker";
  const dir = mkdtempSync(join(tmpdir(), "cloudstate-tck-"));
  const file = join(dir, "compose.yaml");
  writeFileSync(file, service.composeYaml);
  const project = `cloudstate-tck-${process.pid}-${randomBytes(4).toString("hex")}`;
  const compose = (...args: string[]) => ["compose", "-f", file, "-p", project, ...args];

  logger.info(`starting ${options.role ?? "the user function"}: ${service.description} (compose project ${project}, published on ${service.address})`);
  const up = await run(docker, compose("up", "-d"), env);
  if (up.code !== 0) {
    await run(docker, compose("down"), env);
    rmSync(dir, { recursive: true, force: true });
    throw new UserFunctionStartError(`${docker} compose up failed (${up.code === null ? "could not run it" : `exit code ${up.code}`}):\n${up.output.trimEnd()}`);
  }

  let finalOutput: string | undefined;
  const withLogs = (logs: string) => {
    const all = new OutputTail();
    all.write(up.output);
    all.write(logs);
    return all.text();
  };
  let stopped: Promise<void> | undefined;
  return {
    address: service.address,
    // Watching the container would need polling docker; a container that dies shows up as a readiness timeout with its logs.
    exited: new AbortController().signal,
    output: () => {
      if (finalOutput !== undefined) return finalOutput;
      // output() is synchronous by contract, and is read only on failure or at the end.
      const logs = spawnSync(docker, compose("logs", "--no-color", "--no-log-prefix"), { env, encoding: "utf8", timeout: LOGS_TIMEOUT_MS });
      // stdout and stderr are null when docker could not be run at all.
      return withLogs(`${(logs.stdout as string | null) ?? ""}${(logs.stderr as string | null) ?? ""}`);
    },
    stop: () => {
      stopped ??= (async () => {
        finalOutput = withLogs((await run(docker, compose("logs", "--no-color", "--no-log-prefix"), env)).output);
        const down = await run(docker, compose("down"), env);
        rmSync(dir, { recursive: true, force: true });
        if (down.code !== 0) logger.warn(`${docker} compose down (project ${project}) failed: ${down.output.trimEnd()}`);
      })();
      return stopped;
    },
    // `docker compose kill` sends SIGKILL to the container, as a crash would.
    kill: async () => {
      await run(docker, compose("kill", "-s", "SIGKILL"), env);
    },
  };
}

interface RunResult {
  /** null when the program could not be run at all. */
  readonly code: number | null;
  readonly output: string;
}

function run(program: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", (error) => {
      resolve({ code: null, output: `${output}${program}: ${error.message}${program === "docker" ? " (is docker on PATH? DOCKER names another binary)" : ""}\n` });
    });
    child.once("close", (code) => {
      // A null code means docker itself was killed by a signal.
      resolve({ code: code ?? 1, output });
    });
  });
}
