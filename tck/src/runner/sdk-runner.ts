import type { JsonValue } from "@bufbuild/protobuf";
import { cloudstate, tckCases } from "@cloudstate/protocol";
import { Client, credentials } from "@grpc/grpc-js";
import type { LoadedCase } from "../cases/case-loader.js";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { tckProxyInfo } from "../user-function/discovery.js";
import { runCase } from "./case-runner.js";
import { patternToRegExp } from "./pattern.js";
import type { CaseResult } from "./results.js";

export interface SdkRunOptions {
  /** Where the user function under test listens. */
  readonly address: string;
  /** Its answer to discovery: which services it claims. */
  readonly spec: cloudstate.EntitySpec;
  readonly cases: readonly LoadedCase[];
  /** Only cases whose names match (see patternToRegExp). */
  readonly run?: string;
  readonly trace?: boolean;
  /** Called as each case finishes. */
  readonly onResult?: (result: CaseResult) => void;
  readonly timeoutMs?: number;
}


/**
 * Runs SDK-mode cases (the TCK plays the proxy) one after the other against a
 * user function. Cases needing services it does not serve are skipped as not
 * claimed, so a library can certify a subset honestly.
 */
export async function runSdkCases(options: SdkRunOptions): Promise<CaseResult[]> {
  const claimed = new Set(options.spec.entities.map((e) => e.serviceName));
  const filter = options.run === undefined ? undefined : patternToRegExp(options.run);
  const client = new Client(options.address, credentials.createInsecure());
  const json = new MessageJson(payloadRegistry());
  const results: CaseResult[] = [];
  try {
    for (const loaded of options.cases) {
      const c = loaded.case;
      if (c.mode !== tckCases.Mode.MODE_SDK_UNSPECIFIED || (filter && !filter.test(c.name))) continue;
      const missing = c.services.filter((s) => !claimed.has(s));
      const result: CaseResult =
        missing.length > 0
          ? {
              name: c.name,
              area: loaded.area,
              description: c.description,
              status: "skipped",
              requirements: c.requirements,
              durationMs: 0,
              reason: `not claimed: ${missing.join(", ")}`,
            }
          : advisory(c, await runCase(loaded, { client, json, trace: options.trace ?? false, timeoutMs: options.timeoutMs ?? 3000, proxyInfo: cloudstate.ProxyInfo.toJSON(tckProxyInfo()) as JsonValue }));
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    client.close();
  }
  return results;
}

/** What a discovery answer says the user function is. */
export function describeTarget(spec: cloudstate.EntitySpec): string {
  const info = spec.serviceInfo;
  if (info === undefined) return "unknown user function";
  const library = info.supportLibraryName ? `${info.supportLibraryName} ${info.supportLibraryVersion}` : info.serviceName || "user function";
  return `${library} (protocol ${info.protocolMajorVersion}.${info.protocolMinorVersion})`;
}

/** An advisory case's failure is a warning: SHOULD-level statements do not fail a run (spec/README.md). */
function advisory(c: tckCases.Case, result: CaseResult): CaseResult {
  return c.advisory && result.status === "failed" ? { ...result, status: "warning" } : result;
}
