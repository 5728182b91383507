import { readFileSync } from "node:fs";
import { ALL_ENTITY_TYPES, cloudstate, PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";

/** The name the TCK gives itself in ProxyInfo when it plays the proxy. */
export const TCK_PROXY_NAME = "cloudstate-tck";

let version: string | undefined;

/** This package's version, read once from its package.json (src/ and dist/ sit at the same depth). */
export function tckVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
      version = typeof pkg.version === "string" ? pkg.version : "unknown";
    } catch {
      version = "unknown";
    }
  }
  return version;
}

/** The ProxyInfo the TCK sends: protocol 0.2, every entity type (spec/discovery.md DISC-3 to DISC-5). */
export function tckProxyInfo(): cloudstate.ProxyInfo {
  return cloudstate.ProxyInfo.fromPartial({
    protocolMajorVersion: PROTOCOL_MAJOR_VERSION,
    protocolMinorVersion: PROTOCOL_MINOR_VERSION,
    proxyName: TCK_PROXY_NAME,
    proxyVersion: tckVersion(),
    supportedEntityTypes: [...ALL_ENTITY_TYPES],
  });
}

/** Discovery never answered in time. */
export class DiscoveryTimeoutError extends Error {
  constructor(
    readonly address: string,
    readonly timeoutMs: number,
    readonly lastError: string | undefined,
  ) {
    super(
      `the user function never answered discovery at ${address} within ${timeoutMs} ms` +
        (lastError === undefined ? "" : ` (last attempt: ${lastError})`),
    );
    this.name = "DiscoveryTimeoutError";
  }
}

/** Discovery answered, but with an error (for example FAILED_PRECONDITION for an incompatible version, DISC-16). */
export class DiscoveryFailedError extends Error {
  constructor(
    readonly address: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`the user function at ${address} answered discovery with an error: ${codeName(code)}: ${details}`);
    this.name = "DiscoveryFailedError";
  }
}

// Only "not there yet" is worth retrying; any other answer is the user function's final word.
const RETRIED = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 1000;

/**
 * Calls `cloudstate.EntityDiscovery/discover` until the user function answers,
 * backing off between attempts, and returns its EntitySpec. Throws
 * DiscoveryTimeoutError after `timeoutMs`, DiscoveryFailedError when it answers
 * with an error, and `signal.reason` when `signal` aborts (for example because
 * the process under test exited).
 */
export async function waitForDiscovery(address: string, timeoutMs: number, signal?: AbortSignal): Promise<cloudstate.EntitySpec> {
  const deadline = Date.now() + timeoutMs;
  const request = tckProxyInfo();
  let delay = FIRST_DELAY_MS;
  let lastError: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    if (Date.now() >= deadline) throw new DiscoveryTimeoutError(address, timeoutMs, lastError);
    try {
      return await discoverOnce(address, request, deadline, signal);
    } catch (error) {
      signal?.throwIfAborted();
      if (!isServiceError(error)) throw error;
      if (!RETRIED.has(error.code)) throw new DiscoveryFailedError(address, error.code, error.details);
      lastError = `${codeName(error.code)}: ${error.details}`;
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

function discoverOnce(address: string, request: cloudstate.ProxyInfo, deadline: number, signal?: AbortSignal): Promise<cloudstate.EntitySpec> {
  // A fresh channel per attempt with its own subchannel: a shared one would sit
  // in grpc-js's reconnect backoff (up to minutes) after the first refusal.
  const client = new cloudstate.EntityDiscoveryClient(address, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  return new Promise<cloudstate.EntitySpec>((resolve, reject) => {
    const call = client.discover(request, new Metadata(), { deadline }, (error, response) => {
      signal?.removeEventListener("abort", cancel);
      client.close();
      if (error) reject(error);
      else resolve(response);
    });
    const cancel = () => {
      call.cancel();
    };
    signal?.addEventListener("abort", cancel, { once: true });
  });
}

function isServiceError(error: unknown): error is ServiceError {
  return typeof error === "object" && error !== null && typeof (error as Partial<ServiceError>).code === "number";
}

function codeName(code: number): string {
  const name = (status as unknown as Record<number, string | undefined>)[code];
  return name ?? `status ${code}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
