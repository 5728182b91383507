// The proxy's configuration: every setting is a command-line flag and an environment variable.
// A flag wins over the environment, which wins over the default. The reference table for users
// is docs/proxy-configuration.md; a test keeps it in step with PROXY_SETTINGS.

import { isLogLevel, LOG_LEVELS, type LogLevel } from "../logging/logger.js";
import type { StoreConfig } from "../store/store-factory.js";

/** The proxy's validated configuration. */
export interface ProxyConfig {
  /** Port on which the proxy serves the user's services (0: any free port). */
  readonly httpPort: number;
  /** Port of the HTTP/JSON and gRPC-web frontend (0: any free port; spec/http.md). */
  readonly httpJsonPort: number;
  /** Interface the proxy's servers listen on. */
  readonly bindHost: string;
  readonly userFunctionHost: string;
  readonly userFunctionPort: number;
  /** Storage backend, ready for `createStore`. */
  readonly store: StoreConfig;
  /** Idle time before an entity is passivated when the user function sets none (spec/passivation.md PASS-2). */
  readonly passivationTimeoutMs: number;
  /**
   * How long the proxy waits for the user function's answer to a command (spec/failover.md FO-5,
   * FO-6), and for it to complete a passivated entity stream (spec/passivation.md PASS-17).
   */
  readonly commandTimeoutMs: number;
  /** How long a queued command waits for an unreachable user function (spec/failover.md FO-4). */
  readonly queueTimeoutMs: number;
  /** Port of the metrics and health HTTP server; 0 disables it. */
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  /** Backoff bounds between discovery attempts (spec/discovery.md DISC-26). */
  readonly discoveryRetryMinMs: number;
  readonly discoveryRetryMaxMs: number;
  /** How long shutdown waits for in-flight calls and passivations before closing anyway. */
  readonly shutdownGraceMs: number;
  /** Longest chain of forwards before a call fails (spec/effects.md EFF-13). */
  readonly maxForwardDepth: number;
  /** How often event logs are read for subscribers when no append was seen (spec/eventing.md EVT-9). */
  readonly eventingPollMs: number;
  /** Backoff bounds between attempts to deliver an event (spec/eventing.md EVT-25, EVT-26). */
  readonly eventingRetryMinMs: number;
  readonly eventingRetryMaxMs: number;
}

/** One setting as users see it: for help text, documentation and its drift test. */
export interface SettingInfo {
  /** Command-line flag, with its leading dashes (`--http-port`). */
  readonly flag: string;
  /** Environment variable (`HTTP_PORT`). */
  readonly env: string;
  /** Default as written on the command line; `undefined` when there is none. */
  readonly defaultValue: string | undefined;
  /** What the setting means, one sentence or two. */
  readonly description: string;
}

/** The configuration was invalid; `problems` lists every problem found, one sentence each. */
export class ProxyConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid proxy configuration:\n  - ${problems.join("\n  - ")}\nRun with --help for the list of settings.`);
    this.name = "ProxyConfigError";
  }
}

type RawKey =
  | "httpPort"
  | "httpJsonPort"
  | "bindHost"
  | "userFunctionHost"
  | "userFunctionPort"
  | "store"
  | "postgresUrl"
  | "postgresPoolSize"
  | "passivationTimeoutMs"
  | "commandTimeoutMs"
  | "queueTimeoutMs"
  | "metricsPort"
  | "logLevel"
  | "discoveryRetryMinMs"
  | "discoveryRetryMaxMs"
  | "shutdownGraceMs"
  | "maxForwardDepth"
  | "eventingPollMs"
  | "eventingRetryMinMs"
  | "eventingRetryMaxMs";

interface SettingDef extends SettingInfo {
  readonly key: RawKey;
  /** How the raw text is parsed and validated. */
  readonly kind: "port" | "port-or-zero" | "host" | "positive-int" | "store" | "url" | "log-level";
}

const DEFS: readonly SettingDef[] = [
  {
    key: "httpPort",
    flag: "--http-port",
    env: "HTTP_PORT",
    defaultValue: "9000",
    kind: "port-or-zero",
    description: "Port on which the proxy serves the user function's services to clients (0: any free port).",
  },
  {
    key: "httpJsonPort",
    flag: "--http-json-port",
    env: "HTTP_JSON_PORT",
    defaultValue: "9001",
    kind: "port-or-zero",
    description: "Port on which the proxy serves the same services over HTTP/JSON and gRPC-web, for browsers and curl (0: any free port).",
  },
  {
    key: "bindHost",
    flag: "--bind-host",
    env: "BIND_HOST",
    defaultValue: "127.0.0.1",
    kind: "host",
    description: "Interface the proxy listens on, for client calls and metrics (0.0.0.0: every interface).",
  },
  {
    key: "userFunctionHost",
    flag: "--user-function-host",
    env: "USER_FUNCTION_HOST",
    defaultValue: "127.0.0.1",
    kind: "host",
    description: "Host of the user function's gRPC server.",
  },
  {
    key: "userFunctionPort",
    flag: "--user-function-port",
    env: "USER_FUNCTION_PORT",
    defaultValue: "8080",
    kind: "port",
    description: "Port of the user function's gRPC server.",
  },
  {
    key: "store",
    flag: "--store",
    env: "STORE",
    defaultValue: "memory",
    kind: "store",
    description: "Where entity state is kept: memory (lost when the proxy stops) or postgres.",
  },
  {
    key: "postgresUrl",
    flag: "--postgres-url",
    env: "POSTGRES_URL",
    defaultValue: undefined,
    kind: "url",
    description: "PostgreSQL connection URL (postgres://user:password@host:5432/db); required when the store is postgres.",
  },
  {
    key: "postgresPoolSize",
    flag: "--postgres-pool-size",
    env: "POSTGRES_POOL_SIZE",
    defaultValue: "10",
    kind: "positive-int",
    description: "Largest number of PostgreSQL connections the proxy opens.",
  },
  {
    key: "passivationTimeoutMs",
    flag: "--passivation-timeout-ms",
    env: "PASSIVATION_TIMEOUT_MS",
    defaultValue: "30000",
    kind: "positive-int",
    description: "Idle time after which an entity is passivated, when the user function sets no timeout for its service.",
  },
  {
    key: "commandTimeoutMs",
    flag: "--command-timeout-ms",
    env: "COMMAND_TIMEOUT_MS",
    defaultValue: "10000",
    kind: "positive-int",
    description: "How long the proxy waits for the user function's answer to an entity command, or to a unary or client-streamed action call, before failing it with DEADLINE_EXCEEDED.",
  },
  {
    key: "queueTimeoutMs",
    flag: "--queue-timeout-ms",
    env: "QUEUE_TIMEOUT_MS",
    defaultValue: "10000",
    kind: "positive-int",
    description: "How long a queued command waits for an unreachable user function before failing with UNAVAILABLE.",
  },
  {
    key: "metricsPort",
    flag: "--metrics-port",
    env: "METRICS_PORT",
    defaultValue: "9090",
    kind: "port-or-zero",
    description: "Port of the HTTP server for /metrics (Prometheus) and /healthz; 0 disables it.",
  },
  {
    key: "logLevel",
    flag: "--log-level",
    env: "LOG_LEVEL",
    defaultValue: "info",
    kind: "log-level",
    description: `Least severe log level written: ${LOG_LEVELS.join(", ")}.`,
  },
  {
    key: "discoveryRetryMinMs",
    flag: "--discovery-retry-min-ms",
    env: "DISCOVERY_RETRY_MIN_MS",
    defaultValue: "200",
    kind: "positive-int",
    description: "First delay before retrying discovery (user function unreachable or spec refused); grows exponentially.",
  },
  {
    key: "discoveryRetryMaxMs",
    flag: "--discovery-retry-max-ms",
    env: "DISCOVERY_RETRY_MAX_MS",
    defaultValue: "5000",
    kind: "positive-int",
    description: "Longest delay between discovery attempts.",
  },
  {
    key: "shutdownGraceMs",
    flag: "--shutdown-grace-ms",
    env: "SHUTDOWN_GRACE_MS",
    defaultValue: "10000",
    kind: "positive-int",
    description: "On SIGTERM, how long the proxy lets in-flight calls finish before closing.",
  },
  {
    key: "maxForwardDepth",
    flag: "--max-forward-depth",
    env: "MAX_FORWARD_DEPTH",
    defaultValue: "32",
    kind: "positive-int",
    description: "Longest chain of forwards one call may make; longer chains fail with INTERNAL.",
  },
  {
    key: "eventingPollMs",
    flag: "--eventing-poll-ms",
    env: "EVENTING_POLL_MS",
    defaultValue: "1000",
    kind: "positive-int",
    description: "How often the proxy reads an event log for its subscribers when it saw no new event (events this proxy persists are delivered at once).",
  },
  {
    key: "eventingRetryMinMs",
    flag: "--eventing-retry-min-ms",
    env: "EVENTING_RETRY_MIN_MS",
    defaultValue: "200",
    kind: "positive-int",
    description: "First delay before delivering an event again after a failed delivery; grows exponentially.",
  },
  {
    key: "eventingRetryMaxMs",
    flag: "--eventing-retry-max-ms",
    env: "EVENTING_RETRY_MAX_MS",
    defaultValue: "30000",
    kind: "positive-int",
    description: "Longest delay between attempts to deliver an event.",
  },
];

/** Every setting, in the order of the help text and the documentation. */
export const PROXY_SETTINGS: readonly SettingInfo[] = DEFS.map(({ flag, env, defaultValue, description }) => ({
  flag,
  env,
  defaultValue,
  description,
}));

const HELP_FLAGS = new Set(["--help", "-h"]);

/** Whether the command line asks for the usage text rather than a run. */
export function isHelpRequested(argv: readonly string[]): boolean {
  return argv.some((a) => HELP_FLAGS.has(a));
}

/**
 * Reads the configuration from command-line arguments (without the node and script paths) and
 * the environment. A flag is given as `--name value` or `--name=value`; an environment variable
 * set to the empty string counts as unset. Throws {@link ProxyConfigError} listing every problem.
 */
export function parseProxyConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ProxyConfig {
  const problems: string[] = [];
  const fromFlags = readFlags(argv, problems);
  const values = new Map<RawKey, number | string>();
  for (const def of DEFS) {
    const flagValue = fromFlags.get(def.flag);
    const envValue = env[def.env];
    let raw: string | undefined;
    let source: string;
    if (flagValue !== undefined) {
      raw = flagValue;
      source = def.flag;
    } else if (envValue !== undefined && envValue !== "") {
      raw = envValue;
      source = `environment variable ${def.env}`;
    } else {
      raw = def.defaultValue;
      source = `default of ${def.flag}`;
    }
    if (raw === undefined) continue;
    const parsed = parseValue(def, raw.trim());
    if (parsed.ok) values.set(def.key, parsed.value);
    else problems.push(`${source}: ${parsed.problem}`);
  }

  const num = (key: RawKey): number => {
    const v = values.get(key);
    return typeof v === "number" ? v : 0;
  };
  const str = (key: RawKey): string => {
    const v = values.get(key);
    return typeof v === "string" ? v : "";
  };

  if (values.has("discoveryRetryMinMs") && values.has("discoveryRetryMaxMs")) {
    if (num("discoveryRetryMinMs") > num("discoveryRetryMaxMs")) {
      problems.push(
        `--discovery-retry-min-ms (${num("discoveryRetryMinMs")}) must not exceed --discovery-retry-max-ms (${num("discoveryRetryMaxMs")})`,
      );
    }
  }
  if (values.has("eventingRetryMinMs") && values.has("eventingRetryMaxMs") && num("eventingRetryMinMs") > num("eventingRetryMaxMs")) {
    problems.push(`--eventing-retry-min-ms (${num("eventingRetryMinMs")}) must not exceed --eventing-retry-max-ms (${num("eventingRetryMaxMs")})`);
  }
  let store: StoreConfig = { kind: "memory" };
  if (str("store") === "postgres") {
    if (!values.has("postgresUrl")) {
      if (!problems.some((p) => p.includes("--postgres-url") || p.includes("POSTGRES_URL"))) {
        problems.push("--store postgres needs a connection URL: set --postgres-url or POSTGRES_URL");
      }
    } else {
      store = { kind: "postgres", url: str("postgresUrl"), poolSize: num("postgresPoolSize") };
    }
  }
  const httpPort = num("httpPort");
  const httpJsonPort = num("httpJsonPort");
  const metricsPort = num("metricsPort");
  // A value that failed to parse reads as 0 here, which never clashes.
  const ports = [
    ["--http-port", httpPort],
    ["--http-json-port", httpJsonPort],
    ["--metrics-port", metricsPort],
  ] as const;
  ports.forEach(([aFlag, a], i) => {
    for (const [bFlag, b] of ports.slice(i + 1)) if (a !== 0 && a === b) problems.push(`${aFlag} and ${bFlag} are both ${a}; they must differ`);
  });
  if (problems.length > 0) throw new ProxyConfigError(problems);

  const logLevel = str("logLevel");
  return {
    httpPort,
    httpJsonPort,
    bindHost: str("bindHost"),
    userFunctionHost: str("userFunctionHost"),
    userFunctionPort: num("userFunctionPort"),
    store,
    passivationTimeoutMs: num("passivationTimeoutMs"),
    commandTimeoutMs: num("commandTimeoutMs"),
    queueTimeoutMs: num("queueTimeoutMs"),
    metricsPort,
    logLevel: isLogLevel(logLevel) ? logLevel : "info",
    discoveryRetryMinMs: num("discoveryRetryMinMs"),
    discoveryRetryMaxMs: num("discoveryRetryMaxMs"),
    shutdownGraceMs: num("shutdownGraceMs"),
    maxForwardDepth: num("maxForwardDepth"),
    eventingPollMs: num("eventingPollMs"),
    eventingRetryMinMs: num("eventingRetryMinMs"),
    eventingRetryMaxMs: num("eventingRetryMaxMs"),
  };
}

/** The usage text: every flag with its environment variable, default and meaning. */
export function proxyConfigHelp(): string {
  const lines = [
    "Usage: cloudstate-proxy [options]",
    "",
    "Every option can also be set by its environment variable; a flag wins over the",
    "environment, which wins over the default. Flags take `--name value` or `--name=value`.",
    "",
    "Options:",
  ];
  for (const s of PROXY_SETTINGS) {
    const dflt = s.defaultValue === undefined ? "no default" : `default ${s.defaultValue}`;
    lines.push(`  ${s.flag} <value>   (env ${s.env}; ${dflt})`);
    lines.push(`      ${s.description}`);
  }
  lines.push("  -h, --help", "      Print this text and exit.", "");
  return lines.join("\n");
}

const BY_FLAG = new Map(DEFS.map((d) => [d.flag, d]));

function readFlags(argv: readonly string[], problems: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (HELP_FLAGS.has(arg)) continue;
    if (!arg.startsWith("--")) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}: every setting is a --flag`);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!BY_FLAG.has(flag)) {
      problems.push(`unknown option ${flag}`);
      if (eq < 0 && i + 1 < argv.length && !(argv[i + 1] ?? "").startsWith("--")) i++;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        problems.push(`${flag} needs a value`);
        continue;
      }
      value = next;
      i++;
    }
    if (out.has(flag)) problems.push(`${flag} is given more than once`);
    out.set(flag, value);
  }
  return out;
}

type Parsed = { readonly ok: true; readonly value: number | string } | { readonly ok: false; readonly problem: string };

const ok = (value: number | string): Parsed => ({ ok: true, value });
const bad = (problem: string): Parsed => ({ ok: false, problem });

function parseValue(def: SettingDef, raw: string): Parsed {
  switch (def.kind) {
    case "port":
      return integer(raw, 1, 65535, "a port number from 1 to 65535");
    case "port-or-zero":
      return integer(raw, 0, 65535, "a port number from 0 to 65535");
    case "positive-int":
      return integer(raw, 1, Number.MAX_SAFE_INTEGER, "a whole number of at least 1");
    case "host":
      return raw !== "" && !/\s/.test(raw) ? ok(raw) : bad(`${JSON.stringify(raw)} is not a host name or address`);
    case "store":
      return raw === "memory" || raw === "postgres" ? ok(raw) : bad(`${JSON.stringify(raw)} is not a store: use memory or postgres`);
    case "log-level":
      return isLogLevel(raw) ? ok(raw) : bad(`${JSON.stringify(raw)} is not a log level: use ${LOG_LEVELS.join(", ")}`);
    case "url":
      return postgresUrl(raw);
  }
}

function integer(raw: string, min: number, max: number, what: string): Parsed {
  if (!/^\d+$/.test(raw)) return bad(`${JSON.stringify(raw)} is not ${what}`);
  const n = Number(raw);
  return n >= min && n <= max ? ok(n) : bad(`${raw} is not ${what}`);
}

function postgresUrl(raw: string): Parsed {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL may hold a password: never echo it back.
    return bad("not a valid URL (expected postgres://user:password@host:5432/database)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return bad(`URL scheme ${url.protocol} is not postgres: or postgresql:`);
  }
  return ok(raw);
}
