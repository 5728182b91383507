import { ALL_ENTITY_TYPES, type cloudstate, PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";
import type { RuntimeLog } from "../entity/entity-context.js";
import type { UserFunctionClient } from "../userfunction/user-function-client.js";
import { specDifferences } from "./spec-equivalence.js";
import { SpecError, validateSpec } from "./spec-validation.js";
import type { UserSpec } from "./user-spec.js";

export interface DiscoveryOptions {
  readonly proxyName: string;
  readonly proxyVersion: string;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly log: RuntimeLog;
  readonly signal?: AbortSignal;
  /** The spec being served, for a re-discovery (spec/failover.md §5); unset at start-up. */
  readonly served?: UserSpec;
}

export function proxyInfo(name: string, version: string): cloudstate.ProxyInfo {
  return {
    protocolMajorVersion: PROTOCOL_MAJOR_VERSION,
    protocolMinorVersion: PROTOCOL_MINOR_VERSION,
    proxyName: name,
    proxyVersion: version,
    supportedEntityTypes: [...ALL_ENTITY_TYPES],
  };
}

/**
 * Discovers the user function, retrying with exponential backoff until it answers with a spec
 * this proxy can serve (spec/discovery.md), then marks the connection serving. A spec that cannot
 * be served is reported to the user function (once per distinct refusal), logged, and marks the
 * connection refused; the proxy keeps trying: it never serves it (DISC-26, FO-22).
 *
 * With `served` set, this is a re-discovery after the user function was lost (FO-21): a valid
 * spec must also be equivalent to the one served (see spec-equivalence.ts), since a running proxy
 * cannot change the services it serves.
 */
export async function discoverUntilServable(client: UserFunctionClient, options: DiscoveryOptions): Promise<UserSpec> {
  const info = proxyInfo(options.proxyName, options.proxyVersion);
  const connection = client.connection;
  let delay = options.retryMinMs;
  let reported = "";
  for (;;) {
    options.signal?.throwIfAborted();
    if (connection.state === "closed") throw new Error("the proxy closed its connection to the user function");
    const since = connection.losses;
    let unreachable = false;
    try {
      const spec = await client.discover(info, Math.max(5000, options.retryMaxMs));
      const userSpec = validateSpec(spec);
      const differences = options.served === undefined ? [] : specDifferences(options.served, userSpec);
      if (differences.length > 0) throw new SpecChangedError(differences);
      if (connection.serve(since)) {
        options.log.info(options.served === undefined ? "user function discovered" : "user function discovered again: serving on", {
          services: [...userSpec.services.keys()].join(","),
          library: `${spec.serviceInfo?.supportLibraryName ?? "?"} ${spec.serviceInfo?.supportLibraryVersion ?? ""}`.trim(),
        });
        return userSpec;
      }
      // The user function was lost while it answered: ask again, at once, whoever serves now.
      continue;
    } catch (error) {
      if (error instanceof SpecChangedError || error instanceof SpecError) {
        if (error instanceof SpecChangedError) {
          options.log.error("refusing to serve the user function: its entity spec differs from the one this proxy serves; restart the proxy to serve the new spec", {
            differences: error.differences.join("; "),
          });
        } else {
          options.log.error("refusing to serve the user function", { problems: error.problems.join("; ") });
        }
        connection.refuse(error.message);
        // Once per refused spec, however often discovery is retried (DISC-24).
        if (error.message !== reported) {
          reported = error.message;
          await client.reportError(error.message).catch(() => undefined);
        }
      } else {
        unreachable = true;
        options.log.info("waiting for the user function", { address: client.address, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const lossesBefore = connection.losses;
    await pause(client, delay, unreachable, options.signal);
    // A new loss (the user function restarted, say) starts the backoff again.
    delay = connection.losses !== lossesBefore ? options.retryMinMs : Math.min(delay * 2, options.retryMaxMs);
  }
}

/** A valid spec that is not the one the proxy serves (spec/failover.md §5, Decision). */
class SpecChangedError extends Error {
  constructor(readonly differences: readonly string[]) {
    super(
      `the user function's entity spec differs from the one this proxy serves, which a running proxy cannot change; the proxy serves nothing until the user function serves its former spec again, or the proxy is restarted:\n  - ${differences.join("\n  - ")}`,
    );
    this.name = "SpecChangedError";
  }
}

/**
 * Waits before the next attempt: `ms`, or less when the wait can tell the user function is back.
 * An unreachable user function is tried again as soon as its connection is ready (a restarted one
 * is served within grpc-js's reconnect backoff); behind an intermediary that keeps the connection
 * ready, and after a refusal, the full delay applies. A loss ends the wait early.
 */
async function pause(client: UserFunctionClient, ms: number, unreachable: boolean, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return;
  const deadline = Date.now() + ms;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal?.addEventListener("abort", onAbort, { once: true });
  const waits: Promise<unknown>[] = [client.connection.pause(ms), aborted];
  if (unreachable && !client.isReachable()) waits.push(client.reachable(deadline));
  try {
    await Promise.race(waits);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
