import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "../report/error-message.js";
import {
  addressProblem,
  DEFAULT_HOST,
  DEFAULT_STARTUP_TIMEOUT_MS,
  loadTckConfig,
  type TckConfig,
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
}

/** A command line that cannot be run; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `Usage: cloudstate-tck [options]

Certifies a Cloudstate user function: the TCK plays the proxy, runs every
test case against it and reports which spec requirements it meets.

Options:
  --config FILE          TCK config (YAML or JSON); see tck/tck.sdk.yaml
  --address HOST:PORT    test a user function that is already running there
  --command "CMD"        start the user function with this shell command
                         (run in the current directory, given HOST and PORT)
  --cases DIR            test cases directory (default: the package's cases/)
  --run PATTERN          only cases whose names match; * matches anything
                         (without *, names containing PATTERN)
  --trace                record the wire exchange of each case and print it
  --known-failures FILE  known failures file (overrides the config)
  --json FILE            write a JSON report (overrides the config)
  --junit FILE           write a JUnit XML report (overrides the config)
  --help                 show this help

Flags override the config file. Without --config, --address or --command is
required. Exit status: 0 when every case passed or was skipped (known failures
allowed), 1 when a case failed or a known failure passed, 2 on a usage,
configuration or startup error.
`;

/** Parses the arguments after the program name. */
export function parseCliArgs(args: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
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
  };
  if (options.address !== undefined && options.command !== undefined) throw new UsageError("give --address or --command, not both");
  for (const [flag, value] of Object.entries({ config: options.config, address: options.address, command: options.command, cases: options.cases, run: options.run })) {
    if (value !== undefined && value.trim() === "") throw new UsageError(`--${flag} is empty`);
  }
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
  return {
    ...(base?.file === undefined ? {} : { file: base.file }),
    mode: base?.mode ?? "sdk",
    userFunction,
    ...(knownFailures === undefined ? {} : { knownFailures }),
    reports: { ...(json === undefined ? {} : { json }), ...(junit === undefined ? {} : { junit }) },
  };
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

function defined<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
