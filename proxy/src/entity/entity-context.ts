import type { status } from "@grpc/grpc-js";
import type { UserSpec } from "../discovery/user-spec.js";
import type { EffectRunner } from "../effects/effect-runner.js";
import type { Store } from "../store/store.js";
import type { UserFunctionClient } from "../userfunction/user-function-client.js";

/** Logging as the entity runtimes use it. */
export interface RuntimeLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Counters the runtimes report to; implemented by the proxy's metrics. */
export interface RuntimeMetrics {
  commandCompleted(service: string, entityType: string, seconds: number, code: status): void;
  entityActivated(service: string, entityType: string): void;
  entityDeactivated(service: string, entityType: string, passivated: boolean): void;
  eventsPersisted(service: string, entityType: string, count: number): void;
  replayed(service: string, entityType: string, events: number, seconds: number): void;
  failure(service: string, entityType: string, kind: "user_function" | "protocol_violation" | "store" | "timeout"): void;
}

export const NO_METRICS: RuntimeMetrics = {
  commandCompleted: () => undefined,
  entityActivated: () => undefined,
  entityDeactivated: () => undefined,
  eventsPersisted: () => undefined,
  replayed: () => undefined,
  failure: () => undefined,
};

/** What every entity runtime needs from the proxy. */
export interface EntityContext {
  readonly spec: UserSpec;
  readonly userFunction: UserFunctionClient;
  readonly store: Store;
  readonly effects: EffectRunner;
  readonly log: RuntimeLog;
  readonly metrics: RuntimeMetrics;
  /** Idle time before passivation when the user function gave none (spec/passivation.md). */
  readonly defaultPassivationTimeoutMs: number;
  /** How long the proxy waits for the answer to a command, or for a passivated stream to complete (spec/failover.md, spec/passivation.md). */
  readonly commandTimeoutMs: number;
  /** How long a queued command waits for an unreachable user function (FO-4). */
  readonly queueTimeoutMs: number;
  /** Reports a user-function fault; never throws (ERR-1). */
  reportError(message: string): void;
}
