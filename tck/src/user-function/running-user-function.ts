/** A user function the TCK is testing, started by it or already running. */
export interface RunningUserFunction {
  /** `host:port` to reach it at. */
  readonly address: string;
  /**
   * Aborted, with a UserFunctionExitedError as its reason, when the user
   * function stops on its own. Never aborted by stop(), nor for a user
   * function the TCK did not start.
   */
  readonly exited: AbortSignal;
  /** The last lines (about 200) of what it printed, stdout and stderr together; empty when unknown. */
  output(): string;
  /** Stops it if the TCK started it; safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Kills it at once (SIGKILL), as a crash would, and resolves once it is gone
   * (fault injection in proxy mode). Only for user functions the TCK started
   * by command; the others reject.
   */
  kill(): Promise<void>;
}

/** Knobs for starting user functions; the defaults suit the CLI. */
export interface StartOptions {
  /** Environment the user function (or docker) inherits; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long stop() waits after SIGTERM before SIGKILL; default 5000 ms. */
  readonly stopGraceMs?: number;
  /** What the process is, in log lines: default "the user function" (proxy mode also starts "the proxy under test"). */
  readonly role?: string;
}

export const DEFAULT_STOP_GRACE_MS = 5000;

/** The user function stopped by itself. */
export class UserFunctionExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: string | null,
    detail?: string,
  ) {
    super(detail ?? `the user function ${code !== null ? `exited with code ${code}` : `was killed by ${signal ?? "a signal"}`}`);
    this.name = "UserFunctionExitedError";
  }
}

/** The user function could not be started or never became ready; the message includes its output. */
export class UserFunctionStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserFunctionStartError";
  }
}
