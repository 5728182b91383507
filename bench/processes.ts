// Child processes of the orchestrator: spawned node programs whose output lines can be awaited,
// and a registry that stops every one of them however the orchestrator ends (normal end, error,
// SIGINT/SIGTERM; on a plain exit the survivors get SIGKILL synchronously).

import { type ChildProcess, spawn } from "node:child_process";

type LineListener = (line: string, at: number) => void;

/** A running child process. */
export class Child {
  /** Wall-clock time (ms since the epoch) just before the process was spawned. */
  readonly spawnedAtEpoch: number;
  /** performance.now() just before the process was spawned. */
  readonly spawnedAt: number;
  private readonly proc: ChildProcess;
  private readonly listeners = new Set<LineListener>();
  private readonly tail: string[] = [];
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv },
  ) {
    this.spawnedAtEpoch = Date.now();
    this.spawnedAt = performance.now();
    this.proc = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    this.exit = new Promise((resolve) =>
      this.proc.on("exit", () => {
        this.exited = true;
        live.delete(this);
        resolve();
      }),
    );
    live.add(this);
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        const at = performance.now();
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) this.line(line, at);
      });
    }
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The last lines the process wrote, for error messages. */
  recentOutput(): string {
    return this.tail.join("\n");
  }

  /** Resolves with the first line (from now on) that `test` accepts, and when it arrived. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<{ line: string; at: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no expected output within ${timeoutMs} ms\n${this.recentOutput()}`)), timeoutMs);
      const onExit = (): void => done(new Error(`${this.name} exited before the expected output\n${this.recentOutput()}`));
      const listener: LineListener = (line, at) => {
        if (test(line)) done(undefined, { line, at });
      };
      const done = (error: Error | undefined, found?: { line: string; at: number }): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.proc.off("exit", onExit);
        if (error !== undefined || found === undefined) reject(error ?? new Error("no line"));
        else resolve(found);
      };
      this.listeners.add(listener);
      this.proc.on("exit", onExit);
    });
  }

  /** Calls `listener` with every line the process writes from now on. */
  onLine(listener: LineListener): void {
    this.listeners.add(listener);
  }

  /** Sends a signal (e.g. SIGUSR2 to the memory probe). */
  signal(name: NodeJS.Signals): void {
    if (!this.exited) this.proc.kill(name);
  }

  /** Resolves when the process has exited. */
  whenExited(): Promise<void> {
    return this.exit;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  private line(line: string, at: number): void {
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
    for (const listener of [...this.listeners]) listener(line, at);
  }
}

const live = new Set<Child>();
const cleanups: (() => Promise<void>)[] = [];

/** Registers extra clean-up (e.g. stopping PostgreSQL) run by {@link stopEverything}. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** Stops every live child process, then runs the registered clean-ups (last registered first). */
export async function stopEverything(): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(3000)));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

let installed = false;

/** Makes sure no child outlives the orchestrator. Call once, first thing. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("exit", () => {
    for (const child of live) child.signal("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping every process\n`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
}

/** Reads `LISTENING <port>` from a bench program's stdout. */
export async function listeningPort(child: Child, timeoutMs = 15_000): Promise<number> {
  const { line } = await child.waitForLine((l) => l.startsWith("LISTENING "), timeoutMs);
  return Number(line.slice("LISTENING ".length));
}
