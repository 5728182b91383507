/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The library's logger: structured fields, one line per entry. */
export interface Logger {
  /** Logs detail useful only when diagnosing; `fields` are rendered after the message as `key=value`. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Logs a normal event of the server's life (start, stop); `fields` as for `debug`. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Logs a problem the server survives, such as a failed entity stream; `fields` as for `debug`. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Logs a failure, such as a handler that threw or an incompatible proxy; `fields` as for `debug`. */
  error(message: string, fields?: Record<string, unknown>): void;
}

function levelFromEnv(): LogLevel {
  const level = process.env["LOG_LEVEL"];
  return level === "debug" || level === "info" || level === "warn" || level === "error" ? level : "info";
}

/**
 * Writes `time level message key=value...` lines to stderr (stdout stays free
 * for the application). Level from LOG_LEVEL, default info.
 */
export function createLogger(name = "cloudstate", level: LogLevel = levelFromEnv()): Logger {
  const write = (entryLevel: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[entryLevel] < ORDER[level]) return;
    const rendered = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`)
          .join("")
      : "";
    process.stderr.write(`${new Date().toISOString()} ${entryLevel.toUpperCase()} [${name}] ${message}${rendered}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
