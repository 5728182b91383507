import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createServer } from "node:net";
import type { CommandUserFunction } from "../config/tck-config.js";
import type { TckLogger } from "../report/tck-logger.js";
import { OutputTail } from "./output-tail.js";
import { groupAlive, signalGroup } from "./process-group.js";
import {
  DEFAULT_STOP_GRACE_MS,
  type RunningUserFunction,
  type StartOptions,
  UserFunctionExitedError,
  UserFunctionStartError,
} from "./running-user-function.js";

// After the process exits, how long to wait for its pipes to drain (a
// grandchild holding them open must not hang the TCK).
const DRAIN_MS = 200;
const POLL_MS = 50;

/**
 * Starts the user function as a child process with HOST and PORT in its
 * environment. It gets its own process group so that stop() reaches whatever
 * it starts (a shell, `npm start`, ...).
 */
export async function startCommandUserFunction(
  config: CommandUserFunction,
  logger: TckLogger,
  options: StartOptions = {},
): Promise<RunningUserFunction> {
  checkDirectory(config.cwd);
  const port = config.port ?? (await findFreePort(config.host));
  const address = `${config.host}:${port}`;
  const env = { ...(options.env ?? process.env), ...config.env, HOST: config.host, PORT: String(port) };
  const shown = typeof config.command === "string" ? config.command : config.command.join(" ");
  logger.info(`starting ${options.role ?? "the user function"}: ${shown} (in ${config.cwd}, HOST=${config.host} PORT=${port})`);

  const spawnOptions = { cwd: config.cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"] };
  const child =
    typeof config.command === "string"
      ? spawn(config.command, { ...spawnOptions, shell: true })
      : spawn(config.command[0] ?? "", config.command.slice(1), spawnOptions);

  const tail = new OutputTail();
  child.stdout.on("data", (chunk: Buffer) => {
    tail.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    tail.write(chunk);
  });

  const exitedController = new AbortController();
  let stopping = false;
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => {
      resolve();
    });
  });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      // Let the last output arrive before anyone reads it for an error message.
      void Promise.race([closed, delay(DRAIN_MS)]).then(() => {
        if (!stopping) exitedController.abort(new UserFunctionExitedError(code, signal));
        resolve();
      });
    });
    child.once("error", (error) => {
      // spawn failures (ENOENT, EACCES) come as "error" without "exit".
      if (child.pid === undefined) {
        exitedController.abort(new UserFunctionExitedError(null, null, `the user function could not be started: ${error.message}`));
        resolve();
      }
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    address,
    exited: exitedController.signal,
    output: () => tail.text(),
    stop: () => {
      stopping = true;
      stopped ??= stopProcessGroup(child, exited, options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS, logger, options.role ?? "the user function");
      return stopped;
    },
    kill: () => {
      stopping = true;
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      stopped ??= exited;
      return stopped;
    },
  };
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<void>, graceMs: number, logger: TckLogger, role: string): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const leaderAlive = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + graceMs;
  signalGroup(pid, "SIGTERM");
  // Wait for the whole group, not only the leader: a shell's children may outlive it.
  while (Date.now() < deadline && (leaderAlive() || groupAlive(pid))) {
    await delay(POLL_MS);
  }
  if (leaderAlive() || groupAlive(pid)) {
    logger.warn(`${role} did not stop within ${graceMs} ms of SIGTERM; sending SIGKILL`);
    signalGroup(pid, "SIGKILL");
  }
  await exited;
}

function checkDirectory(dir: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDirectory) throw new UserFunctionStartError(`the user function's working directory ${dir} does not exist or is not a directory`);
}

/** A port free on `host` right now (another process may take it before the user function binds it). */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error(`could not find a free port on ${host}`));
      });
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
