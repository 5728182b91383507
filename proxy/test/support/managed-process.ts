// A Node.js child process of an end-to-end test: its output captured line by line, its exit
// observable, and a registry so that afterAll can kill whatever a failed test left running.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { withTimeout } from "./wait.js";

/** How a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ManagedProcess>();
// Whatever happens to the test process (a crash, an interrupted run), its children go with it.
process.once("exit", () => {
  for (const child of running) child.signal("SIGKILL");
});

/** A running `node <script>` child. */
export class ManagedProcess {
  private readonly lines: string[] = [];
  private readonly lineWaiters = new Set<() => void>();
  private readonly child: ChildProcess;
  private exitStatus: ExitStatus | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;

  constructor(
    readonly name: string,
    script: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ) {
    if (!existsSync(script)) throw new Error(`${script} does not exist: build first (npx tsc --build at the repository root)`);
    this.child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) this.addLine(line);
      });
      stream?.on("end", () => {
        if (partial !== "") this.addLine(partial);
        partial = "";
      });
    }
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(this);
        for (const wake of this.lineWaiters) wake();
        resolve(this.exitStatus);
      });
      this.child.once("error", (error) => {
        this.addLine(`spawn error: ${error.message}`);
        this.exitStatus = { code: null, signal: null };
        running.delete(this);
        resolve(this.exitStatus);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process has not exited yet. */
  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  /** Everything the process wrote to stdout and stderr so far, one line per entry. */
  output(): readonly string[] {
    return this.lines;
  }

  /** The captured output as one text, for failure messages. */
  outputText(): string {
    return this.lines.join("\n");
  }

  /**
   * Waits for an output line matching `pattern` (lines already written count) and returns its
   * match. Rejects when the process exits first or after `timeoutMs`.
   */
  async waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.lines.length; index++) {
        const match = (this.lines[index] ?? "").match(pattern);
        if (match) return match;
      }
      if (!this.alive) throw new Error(`${this.name} exited (${JSON.stringify(this.exitStatus)}) before writing ${String(pattern)}:\n${this.outputText()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name} did not write ${String(pattern)} within ${timeoutMs} ms:\n${this.outputText()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.lineWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.lineWaiters.add(wake);
      });
    }
  }

  /** Sends a signal; a process already gone is not an error. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Waits (bounded) for the process to exit. */
  waitForExit(timeoutMs: number): Promise<ExitStatus> {
    return withTimeout(`${this.name} to exit`, this.exited, timeoutMs);
  }

  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 3000): Promise<ExitStatus> {
    if (!this.alive) return this.exited;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL; resolves once it is gone. */
  async kill(): Promise<ExitStatus> {
    this.signal("SIGKILL");
    return this.exited;
  }

  private addLine(line: string): void {
    this.lines.push(line);
    for (const wake of this.lineWaiters) wake();
  }
}

/** Kills every child process still running (for afterAll, whatever the tests left behind). */
export async function killAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}
