// Where the test fixtures are, and a logger that remembers what it was told.
import { fileURLToPath } from "node:url";
import type { TckLogger } from "../src/report/tck-logger.js";

/** The tiny user function: serves discovery on HOST:PORT (see the file for its modes). */
export const DISCOVERY_SERVER = fileURLToPath(new URL("./fixtures/discovery-server.js", import.meta.url));
/** The stand-in for `docker compose`. */
export const FAKE_DOCKER = fileURLToPath(new URL("./fixtures/fake-docker.js", import.meta.url));
/** Small proxy-mode cases for the TCK's own tests. */
export const PROXY_FIXTURE_CASES = fileURLToPath(new URL("./fixtures/proxy-cases", import.meta.url));
/** The reference proxy's built command line (`npx tsc --build` first). */
export const REFERENCE_PROXY_CLI = fileURLToPath(new URL("../../proxy/dist/cli.js", import.meta.url));
/** The reference user function (the node-support TCK model), built. */
export const TCK_MODEL_DIR = fileURLToPath(new URL("../../languages/node-support/tck-model", import.meta.url));

export interface RecordingLogger extends TckLogger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
  };
}
