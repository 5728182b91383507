// Structured logging for the proxy: one JSON object per line, so that log collectors can index
// fields (service, entityId, commandId, ...) without parsing prose.

/** Severity of a log record, from the most verbose to the most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Every level, from the most verbose to the most severe. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to a record; values are rendered with JSON (bigints as strings, Errors as objects). */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where records go: anything with a `write(string)` method, such as `process.stderr`. */
export interface LogDestination {
  write(chunk: string): unknown;
}

/** A structured logger; records below its level cost one comparison. */
export interface Logger {
  /** The least severe level this logger writes. */
  readonly level: LogLevel;
  /** Whether a record at `level` would be written; guards expensive field computation. */
  isEnabled(level: LogLevel): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger writing to the same destination at the same level, adding `fields` to every record. */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Least severe level written; default `info`. */
  readonly level?: LogLevel;
  /** Default `process.stderr`, keeping stdout free for the program's own output. */
  readonly destination?: LogDestination;
  /** Fields added to every record. */
  readonly fields?: LogFields;
  /** Source of record timestamps; injectable so tests get stable output. */
  readonly now?: () => Date;
}

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(SEVERITY, value);
}

/**
 * Creates a logger writing JSON lines `{"time":…,"level":…,"msg":…,…fields}`. Record fields
 * override bound fields of the same name; a field named like one of the three record keys is
 * written with a leading underscore (`_msg`) so that it cannot hide the record's own.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return new JsonLogger(
    options.level ?? "info",
    options.destination ?? process.stderr,
    options.fields ?? {},
    options.now ?? (() => new Date()),
  );
}

/** A logger that writes nothing, for components constructed without one (tests, embedding). */
export const silentLogger: Logger = {
  level: "error",
  isEnabled: () => false,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

const RESERVED = new Set(["time", "level", "msg"]);

class JsonLogger implements Logger {
  private readonly threshold: number;

  constructor(
    readonly level: LogLevel,
    private readonly destination: LogDestination,
    private readonly bound: LogFields,
    private readonly now: () => Date,
  ) {
    this.threshold = SEVERITY[level];
  }

  isEnabled(level: LogLevel): boolean {
    return SEVERITY[level] >= this.threshold;
  }

  debug(msg: string, fields?: LogFields): void {
    if (SEVERITY.debug >= this.threshold) this.write("debug", msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    if (SEVERITY.info >= this.threshold) this.write("info", msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    if (SEVERITY.warn >= this.threshold) this.write("warn", msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    if (SEVERITY.error >= this.threshold) this.write("error", msg, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, this.destination, { ...this.bound, ...fields }, this.now);
  }

  private write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    const record: Record<string, unknown> = { time: this.now().toISOString(), level, msg };
    copyFields(record, this.bound);
    if (fields !== undefined) copyFields(record, fields);
    this.destination.write(serialize(record) + "\n");
  }
}

function copyFields(record: Record<string, unknown>, fields: LogFields): void {
  for (const key of Object.keys(fields)) {
    record[RESERVED.has(key) ? `_${key}` : key] = fields[key];
  }
}

function serialize(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, replacer);
  } catch {
    // A circular structure in some field: keep the record rather than lose the message.
    return JSON.stringify({
      time: record["time"],
      level: record["level"],
      msg: record["msg"],
      logError: "fields could not be serialized",
    });
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const rendered: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack !== undefined) rendered["stack"] = value.stack;
    // gRPC errors carry their status code and details as own properties.
    for (const key of Object.keys(value)) rendered[key] = (value as unknown as Record<string, unknown>)[key];
    if (value.cause !== undefined) rendered["cause"] = value.cause;
    return rendered;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}
