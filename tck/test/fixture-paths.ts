// Where the test fixtures are, and a logger that remembers what it was told.
import { fileURLToPath } from "node:url";
import type { TckLogger } from "../src/report/tck-logger.js";

/** The tiny user function: serves discovery on HOST:PORT (see the file for its modes). */
export const DISCOVERY_SERVER = fileURLToPath(new URL("./fixtures/discovery-server.js", import.meta.url));
/** The stand-in for `docker compose`. */
export const FAKE_DOCKER = fileURLToPath(new URL("./fixtures/fake-docker.js", import.meta.url));

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
