// The node-support TCK model as a real user-function process behind the proxy.

import { fileURLToPath } from "node:url";
import { cloudstate, PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";
import { credentials } from "@grpc/grpc-js";
import { unaryOutcome } from "./grpc-calls.js";
import { ManagedProcess } from "./managed-process.js";
import { waitFor } from "./wait.js";

/** The built TCK model (`npx tsc --build` at the repository root builds it). */
export const TCK_MODEL_MAIN = fileURLToPath(new URL("../../../languages/node-support/tck-model/dist/main.js", import.meta.url));

/** The built shopping-cart example (languages/node-support/examples/shopping-cart). */
export const SHOPPING_CART_MAIN = fileURLToPath(new URL("../../../languages/node-support/examples/shopping-cart/dist/main.js", import.meta.url));

/** A running TCK model (or another user function, see `main`). */
export interface UserFunctionProcess {
  readonly port: number;
  readonly process: ManagedProcess;
}

/**
 * Spawns the TCK model on `port` (default: any free port, read back from its log) and waits until
 * it answers discovery. Rejects, with the process's output, when it does not within `timeoutMs`.
 */
export async function startUserFunction(options: { port?: number; timeoutMs?: number; main?: string } = {}): Promise<UserFunctionProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = new ManagedProcess("user function", options.main ?? TCK_MODEL_MAIN, [], { PORT: String(options.port ?? 0), HOST: "127.0.0.1" });
  try {
    // The model logs the port it bound (the one it picked for port 0); discovery is the readiness probe.
    const port = Number((await startedOnPort(child, timeoutMs))[1]);
    await waitUntilDiscoverable(port, timeoutMs);
    return { port, process: child };
  } catch (error) {
    await child.kill();
    throw error;
  }
}

function startedOnPort(child: ManagedProcess, timeoutMs: number): Promise<RegExpMatchArray> {
  return child.waitForLine(/user function serving address="[^"]*:(\d+)"/, timeoutMs);
}

/** Polls `EntityDiscovery.discover` on `port` until it answers. */
export async function waitUntilDiscoverable(port: number, timeoutMs: number): Promise<void> {
  // Short reconnect backoff: the probe must notice a server that just came up at once.
  const client = new cloudstate.EntityDiscoveryClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
    "grpc.initial_reconnect_backoff_ms": 50,
    "grpc.max_reconnect_backoff_ms": 200,
  });
  const info: cloudstate.ProxyInfo = {
    protocolMajorVersion: PROTOCOL_MAJOR_VERSION,
    protocolMinorVersion: PROTOCOL_MINOR_VERSION,
    proxyName: "e2e-test",
    proxyVersion: "0",
    supportedEntityTypes: [],
  };
  try {
    await waitFor(
      `the user function on port ${port} to answer discovery`,
      async () => (await unaryOutcome((q: cloudstate.ProxyInfo, m, o, cb) => client.discover(q, m, o, cb), info, 1000)).ok,
      timeoutMs,
      50,
    );
  } finally {
    client.close();
  }
}
