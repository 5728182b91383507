import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  isHelpRequested,
  parseProxyConfig,
  PROXY_SETTINGS,
  type ProxyConfig,
  ProxyConfigError,
  proxyConfigHelp,
} from "./proxy-config.js";

const DEFAULTS: ProxyConfig = {
  httpPort: 9000,
  httpJsonPort: 9001,
  bindHost: "127.0.0.1",
  userFunctionHost: "127.0.0.1",
  userFunctionPort: 8080,
  store: { kind: "memory" },
  passivationTimeoutMs: 30000,
  commandTimeoutMs: 10000,
  queueTimeoutMs: 10000,
  metricsPort: 9090,
  logLevel: "info",
  discoveryRetryMinMs: 200,
  discoveryRetryMaxMs: 5000,
  shutdownGraceMs: 10000,
  maxForwardDepth: 32,
  eventingPollMs: 1000,
  eventingRetryMinMs: 200,
  eventingRetryMaxMs: 30000,
};

function problemsOf(argv: string[], env: Record<string, string | undefined> = {}): readonly string[] {
  try {
    parseProxyConfig(argv, env);
  } catch (e) {
    if (e instanceof ProxyConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ProxyConfigError");
}

describe("parseProxyConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(parseProxyConfig([], {})).toEqual(DEFAULTS);
  });

  it("reads every setting from its flag", () => {
    const config = parseProxyConfig(
      [
        "--http-port=9100",
        "--http-json-port",
        "9101",
        "--bind-host",
        "0.0.0.0",
        "--user-function-host",
        "uf",
        "--user-function-port",
        "8081",
        "--store",
        "postgres",
        "--postgres-url",
        "postgres://u:p@db:5432/cs",
        "--postgres-pool-size",
        "3",
        "--passivation-timeout-ms",
        "1000",
        "--command-timeout-ms",
        "2000",
        "--queue-timeout-ms",
        "3000",
        "--metrics-port",
        "0",
        "--log-level",
        "debug",
        "--discovery-retry-min-ms",
        "10",
        "--discovery-retry-max-ms",
        "20",
        "--shutdown-grace-ms",
        "500",
        "--max-forward-depth",
        "4",
        "--eventing-poll-ms",
        "50",
        "--eventing-retry-min-ms",
        "5",
        "--eventing-retry-max-ms",
        "60",
      ],
      {},
    );
    expect(config).toEqual({
      httpPort: 9100,
      httpJsonPort: 9101,
      bindHost: "0.0.0.0",
      userFunctionHost: "uf",
      userFunctionPort: 8081,
      store: { kind: "postgres", url: "postgres://u:p@db:5432/cs", poolSize: 3 },
      passivationTimeoutMs: 1000,
      commandTimeoutMs: 2000,
      queueTimeoutMs: 3000,
      metricsPort: 0,
      logLevel: "debug",
      discoveryRetryMinMs: 10,
      discoveryRetryMaxMs: 20,
      shutdownGraceMs: 500,
      maxForwardDepth: 4,
      eventingPollMs: 50,
      eventingRetryMinMs: 5,
      eventingRetryMaxMs: 60,
    });
  });

  it("reads every setting from its environment variable", () => {
    const config = parseProxyConfig([], {
      HTTP_PORT: "9100",
      HTTP_JSON_PORT: "9101",
      BIND_HOST: "0.0.0.0",
      USER_FUNCTION_HOST: "uf",
      USER_FUNCTION_PORT: "8081",
      STORE: "postgres",
      POSTGRES_URL: "postgresql://db/cs",
      POSTGRES_POOL_SIZE: "3",
      PASSIVATION_TIMEOUT_MS: "1000",
      COMMAND_TIMEOUT_MS: "2000",
      QUEUE_TIMEOUT_MS: "3000",
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
      DISCOVERY_RETRY_MIN_MS: "10",
      DISCOVERY_RETRY_MAX_MS: "20",
      SHUTDOWN_GRACE_MS: "500",
      MAX_FORWARD_DEPTH: "4",
      EVENTING_POLL_MS: "50",
      EVENTING_RETRY_MIN_MS: "5",
      EVENTING_RETRY_MAX_MS: "60",
    });
    expect(config).toEqual({
      httpPort: 9100,
      httpJsonPort: 9101,
      bindHost: "0.0.0.0",
      userFunctionHost: "uf",
      userFunctionPort: 8081,
      store: { kind: "postgres", url: "postgresql://db/cs", poolSize: 3 },
      passivationTimeoutMs: 1000,
      commandTimeoutMs: 2000,
      queueTimeoutMs: 3000,
      metricsPort: 0,
      logLevel: "warn",
      discoveryRetryMinMs: 10,
      discoveryRetryMaxMs: 20,
      shutdownGraceMs: 500,
      maxForwardDepth: 4,
      eventingPollMs: 50,
      eventingRetryMinMs: 5,
      eventingRetryMaxMs: 60,
    });
  });

  it.each<[string, string[], Record<string, string | undefined>, Partial<ProxyConfig>]>([
    ["flag over env", ["--http-port", "1"], { HTTP_PORT: "2" }, { httpPort: 1 }],
    ["env over default", [], { HTTP_PORT: "2" }, { httpPort: 2 }],
    ["empty env is unset", [], { HTTP_PORT: "" }, { httpPort: 9000 }],
    ["undefined env is unset", [], { LOG_LEVEL: undefined }, { logLevel: "info" }],
    ["settings independent", ["--log-level", "error"], { HTTP_PORT: "2" }, { httpPort: 2, logLevel: "error" }],
    ["value trimmed", [], { COMMAND_TIMEOUT_MS: " 50 " }, { commandTimeoutMs: 50 }],
    ["flag overrides invalid env", ["--store", "memory"], { STORE: "redis" }, { store: { kind: "memory" } }],
    ["POSTGRES_URL ignored by memory store", [], { POSTGRES_URL: "postgres://db/x" }, { store: { kind: "memory" } }],
  ])("precedence: %s", (_name, argv, env, expected) => {
    expect(parseProxyConfig(argv, env)).toMatchObject(expected);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ["port out of range", ["--http-port", "70000"], {}, '--http-port: 70000 is not a port number from 0 to 65535'],
    ["HTTP/JSON port out of range", ["--http-json-port", "65536"], {}, '--http-json-port: 65536 is not a port number from 0 to 65535'],
    ["user function port 0", [], { USER_FUNCTION_PORT: "0" }, "environment variable USER_FUNCTION_PORT: 0 is not a port number from 1 to 65535"],
    ["non-numeric", ["--command-timeout-ms=soon"], {}, '--command-timeout-ms: "soon" is not a whole number of at least 1'],
    ["negative", ["--shutdown-grace-ms=-1"], {}, '--shutdown-grace-ms: "-1" is not a whole number of at least 1'],
    ["fraction", ["--max-forward-depth", "1.5"], {}, '--max-forward-depth: "1.5" is not a whole number of at least 1'],
    ["zero timeout", [], { PASSIVATION_TIMEOUT_MS: "0" }, "environment variable PASSIVATION_TIMEOUT_MS: 0 is not a whole number of at least 1"],
    ["unknown store", [], { STORE: "redis" }, 'environment variable STORE: "redis" is not a store: use memory or postgres'],
    ["unknown level", ["--log-level", "trace"], {}, '--log-level: "trace" is not a log level: use debug, info, warn, error'],
    ["postgres without url", ["--store", "postgres"], {}, "--store postgres needs a connection URL: set --postgres-url or POSTGRES_URL"],
    ["bad url scheme", ["--postgres-url", "mysql://db/x"], {}, "--postgres-url: URL scheme mysql: is not postgres: or postgresql:"],
    ["retry min above max", ["--discovery-retry-min-ms", "600"], { DISCOVERY_RETRY_MAX_MS: "500" }, "--discovery-retry-min-ms (600) must not exceed --discovery-retry-max-ms (500)"],
    ["eventing retry min above max", ["--eventing-retry-min-ms", "600"], { EVENTING_RETRY_MAX_MS: "500" }, "--eventing-retry-min-ms (600) must not exceed --eventing-retry-max-ms (500)"],
    ["same ports", ["--metrics-port", "9000"], {}, "--http-port and --metrics-port are both 9000; they must differ"],
    ["same HTTP/JSON port", ["--http-json-port", "9000"], {}, "--http-port and --http-json-port are both 9000; they must differ"],
    ["HTTP/JSON port is the metrics port", [], { HTTP_JSON_PORT: "9090" }, "--http-json-port and --metrics-port are both 9090; they must differ"],
    ["unknown flag", ["--http-prot", "1"], {}, "unknown option --http-prot"],
    ["positional", ["serve"], {}, 'unexpected argument "serve": every setting is a --flag'],
    ["missing value", ["--bind-host"], {}, "--bind-host needs a value"],
    ["value is a flag", ["--bind-host", "--log-level", "info"], {}, "--bind-host needs a value"],
    ["duplicate", ["--http-port", "1", "--http-port=2"], {}, "--http-port is given more than once"],
    ["empty host", ["--bind-host="], {}, '--bind-host: "" is not a host name or address'],
  ])("rejects %s", (_name, argv, env, problem) => {
    expect(problemsOf(argv, env)).toContain(problem);
  });

  it("reports every problem at once and never echoes a malformed URL", () => {
    let error: unknown;
    try {
      parseProxyConfig(["--http-port", "x", "--store", "postgres"], { POSTGRES_URL: "secret-pass@@", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProxyConfigError);
    const { problems, message } = error as ProxyConfigError;
    expect(problems).toHaveLength(3);
    expect(problems).toContain("environment variable POSTGRES_URL: not a valid URL (expected postgres://user:password@host:5432/database)");
    expect(message).toContain("--http-port");
    expect(message).not.toContain("secret-pass");
  });
});

describe("help", () => {
  it("is requested by --help or -h, and parsing ignores it", () => {
    expect(isHelpRequested(["--http-port", "1", "--help"])).toBe(true);
    expect(isHelpRequested(["-h"])).toBe(true);
    expect(isHelpRequested(["--http-port", "1"])).toBe(false);
    expect(parseProxyConfig(["--help"], {})).toEqual(DEFAULTS);
  });

  it("lists flag, environment variable, default and meaning of every setting", () => {
    const help = proxyConfigHelp();
    for (const s of PROXY_SETTINGS) {
      const line = help.split("\n").find((l) => l.trimStart().startsWith(`${s.flag} `));
      expect(line).toBeDefined();
      expect(line).toContain(`env ${s.env}`);
      expect(line).toContain(s.defaultValue === undefined ? "no default" : `default ${s.defaultValue}`);
      expect(help).toContain(s.description);
    }
  });
});

describe("docs/proxy-configuration.md", () => {
  const docPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "proxy-configuration.md");
  const rows = readFileSync(docPath, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("| `--"))
    .map((l) => l.split("|").map((cell) => cell.trim()));

  it.each(PROXY_SETTINGS.map((s) => [s.flag, s] as const))("documents %s with its env var and default", (_flag, s) => {
    const row = rows.find((cells) => cells[1] === `\`${s.flag}\``);
    expect(row).toBeDefined();
    expect(row?.[2]).toBe(`\`${s.env}\``);
    expect(row?.[3]).toBe(s.defaultValue === undefined ? "none" : `\`${s.defaultValue}\``);
  });

  it("documents no setting the code does not have", () => {
    expect(rows.map((cells) => cells[1])).toEqual(PROXY_SETTINGS.map((s) => `\`${s.flag}\``));
  });
});
