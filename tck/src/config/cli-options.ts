import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "../report/error-message.js";
import {
  addressProblem,
  DEFAULT_HOST,
  DEFAULT_STARTUP_TIMEOUT_MS,
  loadTckConfig,
  type TckConfig,
  type TckMode,
  type UserFunctionConfig,
} from "./tck-config.js";

/** The `cloudstate-tck` command line, as given. */
export interface CliOptions {
  readonly help: boolean;
  readonly config?: string;
  readonly address?: string;
  readonly command?: string;
  readonly cases?: string;
  readonly run?: string;
  readonly trace: boolean;
  readonly knownFailures?: string;
  readonly json?: string;
  readonly junit?: string;
  /** Overrides the config's mode. */
  readonly mode?: TckMode;
  /** Proxy mode: write the intercepted exchanges of every case to this file. */
  readonly record?: string;
  /** Differential run: the second proxy's config file. */
  readonly compareWith?: string;
  /** Differential run: the second proxy, as a shell command (everything else from --config). */
  readonly compareProxy?: string;
  /** Differential run: write the second proxy's recording to this file. */
  readonly recordB?: string;
  /** Offline comparison of two recordings. */
  readonly compareTraces?: readonly [string, string];
}

/** A command line that cannot be run; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `Usage: cloudstate-tck [options]
       cloudstate-tck --config FILE --compare-with FILE_B | --compare-proxy "CMD" [options]
       cloudstate-tck --compare-traces A.json B.json

Certifies a Cloudstate implementation against the spec. In SDK mode (a user
function) the TCK plays the proxy; in proxy mode (a proxy) it starts a
reference user function, sits between it and the proxy as an interceptor, and
plays the proxy's client, checking what the client gets and every protocol
message that crosses the interceptor.

Options:
  --config FILE          TCK config (YAML or JSON); see tck/tck.sdk.yaml and
                         tck/tck.proxy.yaml
  --mode sdk|proxy       override the config's mode (proxy mode needs a config
                         with a proxy: section)
  --address HOST:PORT    the user function is already running there (in proxy
                         mode: the reference user function)
  --command "CMD"        start the user function with this shell command
                         (run in the current directory, given HOST and PORT)
  --cases DIR            test cases directory (default: the package's cases/)
  --run PATTERN          only cases whose names match; * matches anything
                         (without *, names containing PATTERN)
  --trace                record the wire exchange of each case and print it
  --known-failures FILE  known failures file (overrides the config)
  --json FILE            write a JSON report (overrides the config)
  --junit FILE           write a JUnit XML report (overrides the config)
  --record FILE          proxy mode: write every case's intercepted exchanges
                         (proxy <-> user function) to FILE as JSON
  --help                 show this help

Differential mode (proxy mode; runs the same cases against two proxies with
the same reference user function and reports where the intercepted exchanges
differ, after normalising command ids, timestamps and transport metadata;
runtime configurations are not compared):
  --compare-with FILE    the second proxy's config (only its proxy: and
                         interceptor: sections; the user function, cases and
                         --run come from --config)
  --compare-proxy "CMD"  the second proxy as a shell command, run in the
                         current directory; everything else from --config
  --record FILE          write the first proxy's recording
  --record-b FILE        write the second proxy's recording
  --compare-traces A B   compare two recordings made with --record, offline

Flags override the config file. Without --config, --address or --command is
required (SDK mode). Exit status: 0 when every case passed or was skipped
(known failures allowed) or, comparing, when nothing differs; 1 when a case
failed, a known failure passed or the compared proxies differ; 2 on a usage,
configuration or startup error.
`;

/** Parses the arguments after the program name. */
export function parseCliArgs(args: readonly string[]): CliOptions {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        config: { type: "string" },
        address: { type: "string" },
        command: { type: "string" },
        cases: { type: "string" },
        run: { type: "string" },
        trace: { type: "boolean" },
        "known-failures": { type: "string" },
        json: { type: "string" },
        junit: { type: "string" },
        mode: { type: "string" },
        record: { type: "string" },
        "compare-with": { type: "string" },
        "compare-proxy": { type: "string" },
        "record-b": { type: "string" },
        "compare-traces": { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const options: CliOptions = {
    help: values.help ?? false,
    trace: values.trace ?? false,
    ...defined("config", values.config),
    ...defined("address", values.address),
    ...defined("command", values.command),
    ...defined("cases", values.cases),
    ...defined("run", values.run),
    ...defined("knownFailures", values["known-failures"]),
    ...defined("json", values.json),
    ...defined("junit", values.junit),
    ...mode(values.mode),
    ...defined("record", values.record),
    ...defined("compareWith", values["compare-with"]),
    ...defined("compareProxy", values["compare-proxy"]),
    ...defined("recordB", values["record-b"]),
    ...compareTraces(values["compare-traces"], positionals),
  };
  if (options.address !== undefined && options.command !== undefined) throw new UsageError("give --address or --command, not both");
  const nonEmpty = {
    config: options.config,
    address: options.address,
    command: options.command,
    cases: options.cases,
    run: options.run,
    record: options.record,
    "compare-with": options.compareWith,
    "compare-proxy": options.compareProxy,
    "record-b": options.recordB,
  };
  for (const [flag, value] of Object.entries(nonEmpty)) {
    if (value !== undefined && value.trim() === "") throw new UsageError(`--${flag} is empty`);
  }
  checkCompareFlags(options);
  if (options.address !== undefined) {
    const problem = addressProblem(options.address);
    if (problem !== undefined) throw new UsageError(`--address ${problem}`);
  }
  return options;
}

/**
 * The config to run with: the config file (if given) with the flags laid over
 * it. Paths given as flags are relative to `cwd`, the caller's directory.
 */
export function resolveTckConfig(options: CliOptions, cwd: string): TckConfig {
  const base: TckConfig | undefined = options.config === undefined ? undefined : loadTckConfig(resolve(cwd, options.config));
  const userFunction = overrideUserFunction(base?.userFunction, options, cwd);
  if (userFunction === undefined) throw new UsageError("give --config FILE, --address HOST:PORT or --command CMD");
  const knownFailures = options.knownFailures === undefined ? base?.knownFailures : resolve(cwd, options.knownFailures);
  const json = options.json === undefined ? base?.reports.json : resolve(cwd, options.json);
  const junit = options.junit === undefined ? base?.reports.junit : resolve(cwd, options.junit);
  const mode = options.mode ?? base?.mode ?? "sdk";
  const comparing = options.compareWith !== undefined || options.compareProxy !== undefined;
  if (mode === "sdk" && options.record !== undefined) throw new UsageError("--record records intercepted exchanges, which only proxy mode has");
  if ((mode === "proxy" || comparing) && base?.proxy === undefined) {
    throw new UsageError(
      options.config === undefined
        ? "proxy mode needs --config FILE with a proxy: section (the proxy under test)"
        : `proxy mode needs a proxy: section in ${base?.file ?? options.config} (the proxy under test); it is a mode: sdk config`,
    );
  }
  const config: TckConfig = {
    ...(base?.file === undefined ? {} : { file: base.file }),
    mode: comparing ? "proxy" : mode,
    userFunction,
    ...(knownFailures === undefined ? {} : { knownFailures }),
    reports: { ...(json === undefined ? {} : { json }), ...(junit === undefined ? {} : { junit }) },
  };
  // `--mode sdk` on a proxy-mode config certifies its reference user function: the proxy sections do not apply.
  if (config.mode === "sdk" || base === undefined) return config;
  if (userFunction.kind === "address") {
    const changed = base.runtimeConfigurations?.find((rc) => Object.keys(rc.userFunctionEnv).length > 0);
    if (changed !== undefined) {
      throw new UsageError(`runtime configuration ${changed.name} sets userFunctionEnv, which cannot apply to a user function the TCK does not start (--address)`);
    }
  }
  return {
    ...config,
    ...(base.proxy === undefined ? {} : { proxy: base.proxy }),
    ...(base.interceptor === undefined ? {} : { interceptor: base.interceptor }),
    runtimeConfigurations: base.runtimeConfigurations ?? [],
  };
}

/**
 * The second proxy of a differential run: the proxy of `--compare-with`'s
 * config, or `--compare-proxy`'s command with everything else from the
 * first. Cases, the reference user function and reports stay the first's.
 */
export function resolveCompareConfig(options: CliOptions, first: TckConfig, cwd: string): TckConfig {
  const firstProxy = first.proxy;
  if (firstProxy === undefined) throw new UsageError("a differential run needs a proxy-mode config");
  if (options.compareProxy !== undefined) {
    // The first proxy's fixed interceptor address was where *it* looks for its user function; the second is started by the TCK.
    return {
      ...(firstProxy.kind === "address" ? withoutInterceptor(first) : first),
      proxy: { kind: "command", command: options.compareProxy, cwd, env: {}, startupTimeoutMs: firstProxy.startupTimeoutMs },
    };
  }
  if (options.compareWith === undefined) throw new UsageError("give --compare-with FILE or --compare-proxy CMD");
  const other = loadTckConfig(resolve(cwd, options.compareWith));
  if (other.proxy === undefined) throw new UsageError(`${other.file ?? options.compareWith}: --compare-with needs a mode: proxy config with a proxy: section`);
  return {
    ...withoutInterceptor(first),
    ...(other.file === undefined ? {} : { file: other.file }),
    proxy: other.proxy,
    ...(other.interceptor === undefined ? {} : { interceptor: other.interceptor }),
    runtimeConfigurations: other.runtimeConfigurations ?? [],
  };
}

function withoutInterceptor(config: TckConfig): TckConfig {
  const copy: { -readonly [K in keyof TckConfig]?: TckConfig[K] } = { ...config };
  delete copy.interceptor;
  return copy as TckConfig;
}

function overrideUserFunction(base: UserFunctionConfig | undefined, options: CliOptions, cwd: string): UserFunctionConfig | undefined {
  const startupTimeoutMs = base?.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  if (options.address !== undefined) return { kind: "address", address: options.address, startupTimeoutMs };
  if (options.command !== undefined) {
    // The config's environment and listening address still apply to a command given on the command line.
    const env = base !== undefined && base.kind !== "address" ? base.env : {};
    const host = base !== undefined && base.kind !== "address" ? base.host : DEFAULT_HOST;
    const port = base?.kind === "command" ? base.port : undefined;
    return { kind: "command", command: options.command, cwd, env, host, ...(port === undefined ? {} : { port }), startupTimeoutMs };
  }
  return base;
}

function mode(value: string | undefined): { mode?: TckMode } {
  if (value === undefined) return {};
  if (value === "sdk" || value === "proxy") return { mode: value };
  throw new UsageError(`--mode must be sdk or proxy, got ${JSON.stringify(value)}`);
}

/** `--compare-traces A B`: the flag's value and the one positional argument, which nothing else takes. */
function compareTraces(value: string | undefined, positionals: readonly string[]): { compareTraces?: readonly [string, string] } {
  if (value === undefined) {
    if (positionals.length > 0) throw new UsageError(`unexpected positional argument ${JSON.stringify(positionals[0])}`);
    return {};
  }
  const [other, ...rest] = positionals;
  if (other === undefined || rest.length > 0 || value.trim() === "" || other.trim() === "") {
    throw new UsageError("--compare-traces takes two recordings: --compare-traces A.json B.json");
  }
  return { compareTraces: [value, other] };
}

function checkCompareFlags(options: CliOptions): void {
  const comparing = options.compareWith !== undefined || options.compareProxy !== undefined;
  if (options.compareWith !== undefined && options.compareProxy !== undefined) throw new UsageError("give --compare-with or --compare-proxy, not both");
  if (options.recordB !== undefined && !comparing) throw new UsageError("--record-b records the second proxy of --compare-with or --compare-proxy");
  if (comparing && options.mode === "sdk") throw new UsageError("a differential run compares proxies: it runs in proxy mode, not --mode sdk");
  if (comparing && options.config === undefined) throw new UsageError("a differential run needs --config FILE (a proxy-mode config) for the first proxy");
  if (options.compareTraces !== undefined) {
    const others = (["config", "address", "command", "compareWith", "compareProxy", "record", "recordB", "run", "cases", "mode"] as const).filter((k) => options[k] !== undefined);
    if (others.length > 0) throw new UsageError(`--compare-traces compares two recordings offline; it takes no ${others.map(flagName).join(", ")}`);
  }
}

const FLAG_NAMES: Partial<Record<keyof CliOptions, string>> = { compareWith: "compare-with", compareProxy: "compare-proxy", recordB: "record-b", knownFailures: "known-failures" };

function flagName(key: keyof CliOptions): string {
  return `--${FLAG_NAMES[key] ?? key}`;
}

function defined<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
