import { ALL_ENTITY_TYPES, type cloudstate, PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";
import type { RuntimeLog } from "../entity/entity-context.js";
import type { UserFunctionClient } from "../userfunction/user-function-client.js";
import { SpecError, validateSpec } from "./spec-validation.js";
import type { UserSpec } from "./user-spec.js";

export interface DiscoveryOptions {
  readonly proxyName: string;
  readonly proxyVersion: string;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly log: RuntimeLog;
  readonly signal?: AbortSignal;
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
 * Discovers the user function, retrying with exponential backoff until it
 * answers with a spec this proxy can serve (spec/discovery.md). A spec that
 * cannot be served is reported to the user function (once per distinct
 * problem) and logged, and the proxy keeps waiting: it never serves it.
 */
export async function discoverUntilServable(client: UserFunctionClient, options: DiscoveryOptions): Promise<UserSpec> {
  const info = proxyInfo(options.proxyName, options.proxyVersion);
  let delay = options.retryMinMs;
  let reported = "";
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const spec = await client.discover(info, Math.max(5000, options.retryMaxMs));
      const userSpec = validateSpec(spec);
      options.log.info("user function discovered", {
        services: [...userSpec.services.keys()].join(","),
        library: `${spec.serviceInfo?.supportLibraryName ?? "?"} ${spec.serviceInfo?.supportLibraryVersion ?? ""}`.trim(),
      });
      return userSpec;
    } catch (error) {
      if (error instanceof SpecError) {
        options.log.error("refusing to serve the user function", { problems: error.problems.join("; ") });
        if (error.message !== reported) {
          reported = error.message;
          await client.reportError(error.message).catch(() => undefined);
        }
      } else {
        options.log.info("waiting for the user function", { address: client.address, error: error instanceof Error ? error.message : String(error) });
      }
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, options.retryMaxMs);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
