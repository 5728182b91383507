import type { Writable } from "node:stream";

/** Where the TCK says what it is doing (starting processes, warnings); separate from the case report. */
export interface TckLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** A logger writing `tck: message` / `tck: warning: message` lines to a stream. */
export function streamLogger(stream: Writable): TckLogger {
  return {
    info: (message) => stream.write(`tck: ${message}\n`),
    warn: (message) => stream.write(`tck: warning: ${message}\n`),
  };
}

/** A logger that drops everything, for tests and embedding. */
export const silentLogger: TckLogger = {
  info: () => undefined,
  warn: () => undefined,
};
