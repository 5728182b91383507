#!/usr/bin/env node
// The `cloudstate-tck` command: the only module that touches process.stdout,
// process.exit and signals. Everything else takes streams.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { tckCases } from "@cloudstate/protocol";
import { type LoadedCase, loadCases } from "./cases/case-loader.js";
import { type CliOptions, parseCliArgs, resolveCompareConfig, resolveTckConfig, USAGE, UsageError } from "./config/cli-options.js";
import { applyKnownFailure, type KnownFailure, loadKnownFailures } from "./config/known-failures.js";
import type { TckConfig } from "./config/tck-config.js";
import { compareTraceFiles, runComparison } from "./proxy-mode/compare-cli.js";
import { runProxyMode } from "./proxy-mode/proxy-mode-cli.js";
import { ConsoleReporter } from "./report/console-reporter.js";
import { errorMessage } from "./report/error-message.js";
import { EXIT_ERROR, EXIT_PASSED, finishRun } from "./report/finish-run.js";
import { streamLogger, type TckLogger } from "./report/tck-logger.js";
import { describeTarget, runSdkCases } from "./runner/sdk-runner.js";
import { type DiscoveredUserFunction, startAndDiscover } from "./user-function/user-function.js";

/** The package's own cases: dist/cli.js (or src/cli.ts) → ../cases. */
export const DEFAULT_CASES_DIR = fileURLToPath(new URL("../cases", import.meta.url));

export { EXIT_ERROR, EXIT_FAILED, EXIT_PASSED } from "./report/finish-run.js";

/** What main() runs against; the bin passes the process's own. */
export interface CliEnvironment {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Base for relative paths given as flags. */
  readonly cwd: string;
  /** Environment a started user function (or docker) inherits; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Given the clean-up to run if the process is interrupted while a user function (or proxy) runs. */
  readonly onInterrupt?: (stop: () => Promise<void>) => void;
}

/** Runs the TCK as the command line asks and returns the exit status. */
export async function main(args: readonly string[], io: CliEnvironment): Promise<number> {
  const logger = streamLogger(io.stderr);
  const fail = (message: string) => {
    io.stderr.write(`cloudstate-tck: ${message}\n`);
    return EXIT_ERROR;
  };

  let options: CliOptions;
  try {
    options = parseCliArgs(args);
  } catch (error) {
    io.stderr.write(`cloudstate-tck: ${errorMessage(error)}\n\n${USAGE}`);
    return EXIT_ERROR;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return EXIT_PASSED;
  }

  if (options.compareTraces !== undefined) {
    try {
      const [a, b] = options.compareTraces;
      return compareTraceFiles(resolve(io.cwd, a), resolve(io.cwd, b), io.stdout);
    } catch (error) {
      return fail(errorMessage(error));
    }
  }

  // Everything that can be wrong with the inputs is found before anything is started.
  let config: TckConfig;
  let compareWith: TckConfig | undefined;
  let knownFailures: KnownFailure[];
  let cases: LoadedCase[];
  try {
    config = resolveTckConfig(options, io.cwd);
    if (options.compareWith !== undefined || options.compareProxy !== undefined) compareWith = resolveCompareConfig(options, config, io.cwd);
    knownFailures = config.knownFailures === undefined ? [] : loadKnownFailures(config.knownFailures);
    const casesDir = options.cases === undefined ? DEFAULT_CASES_DIR : resolve(io.cwd, options.cases);
    cases = loadCases(casesDir);
    if (cases.length === 0) throw new UsageError(`no test cases in ${casesDir}`);
    if (config.mode === "proxy" && !cases.some((c) => c.case.mode === tckCases.Mode.MODE_PROXY)) throw new UsageError(`no proxy-mode test cases in ${casesDir}`);
  } catch (error) {
    return fail(errorMessage(error));
  }

  if (config.mode === "proxy") {
    const common = {
      options,
      cases,
      logger,
      out: io.stdout,
      ...(io.env === undefined ? {} : { env: io.env }),
      ...(io.onInterrupt === undefined ? {} : { onInterrupt: io.onInterrupt }),
    };
    const record = options.record === undefined ? {} : { record: resolve(io.cwd, options.record) };
    try {
      if (compareWith !== undefined) {
        return await runComparison({
          ...common,
          configA: config,
          configB: compareWith,
          ...(options.record === undefined ? {} : { recordA: resolve(io.cwd, options.record) }),
          ...(options.recordB === undefined ? {} : { recordB: resolve(io.cwd, options.recordB) }),
        });
      }
      return await runProxyMode({ ...common, config, knownFailures, ...record });
    } catch (error) {
      return fail(errorMessage(error));
    }
  }

  let discovered: DiscoveredUserFunction;
  try {
    discovered = await startAndDiscover(config.userFunction, logger, io.env === undefined ? {} : { env: io.env }, (started) => {
      io.onInterrupt?.(() => started.stop());
    });
  } catch (error) {
    return fail(errorMessage(error));
  }
  const { userFunction } = discovered;
  try {
    return await runAndReport({ options, config, knownFailures, cases, discovered, logger, out: io.stdout });
  } catch (error) {
    return fail(`the run failed: ${errorMessage(error)}`);
  } finally {
    await userFunction.stop();
  }
}

interface RunContext {
  readonly options: CliOptions;
  readonly config: TckConfig;
  readonly knownFailures: readonly KnownFailure[];
  readonly cases: readonly LoadedCase[];
  readonly discovered: DiscoveredUserFunction;
  readonly logger: TckLogger;
  readonly out: Writable;
}

async function runAndReport(ctx: RunContext): Promise<number> {
  const { options, config, knownFailures, discovered, logger } = ctx;
  const { userFunction, spec } = discovered;
  const reporter = new ConsoleReporter(ctx.out);
  const target = describeTarget(spec);
  reporter.runStarted("sdk", target);
  const startedAt = new Date();
  const results = await runSdkCases({
    address: userFunction.address,
    spec,
    cases: ctx.cases,
    ...(options.run === undefined ? {} : { run: options.run }),
    trace: options.trace,
    onResult: (result) => {
      reporter.caseFinished(applyKnownFailure(result, knownFailures));
    },
  });
  if (userFunction.exited.aborted) logger.warn(`the user function stopped during the run: ${errorMessage(userFunction.exited.reason)}`);
  return finishRun(
    {
      mode: "sdk",
      target,
      startedAt,
      results,
      knownFailures,
      reports: config.reports,
      ...(options.run === undefined ? {} : { run: options.run }),
      ...(config.userFunction.kind === "address" ? {} : { output: userFunction.output() }),
    },
    reporter,
    logger,
  );
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // npm links bins through node_modules/.bin symlinks.
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  let interrupt: (() => Promise<void>) | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`cloudstate-tck: ${signal}, stopping what the TCK started\n`);
      void (interrupt?.() ?? Promise.resolve()).finally(() => process.exit(128 + (signal === "SIGINT" ? 2 : 15)));
    });
  }
  void main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    onInterrupt: (stop) => {
      interrupt = stop;
    },
  }).then((code) => process.exit(code));
}
