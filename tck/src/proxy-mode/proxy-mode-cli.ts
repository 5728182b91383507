import type { Writable } from "node:stream";
import type { LoadedCase } from "../cases/case-loader.js";
import type { CliOptions } from "../config/cli-options.js";
import { applyKnownFailure, type KnownFailure } from "../config/known-failures.js";
import type { RuntimeConfiguration, TckConfig } from "../config/tck-config.js";
import { ConsoleReporter } from "../report/console-reporter.js";
import { finishRun } from "../report/finish-run.js";
import type { TckLogger } from "../report/tck-logger.js";
import { certifyProxy } from "./proxy-certification.js";
import { writeRecording } from "./trace-recording.js";

/** What a proxy-mode run of the command needs: its inputs, checked, and where to write. */
export interface ProxyModeContext {
  readonly options: CliOptions;
  /** A proxy-mode config: `proxy` is set. */
  readonly config: TckConfig;
  readonly knownFailures: readonly KnownFailure[];
  readonly cases: readonly LoadedCase[];
  readonly logger: TckLogger;
  readonly out: Writable;
  /** The absolute --record path, if any. */
  readonly record?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly onInterrupt?: (stop: () => Promise<void>) => void;
}

/**
 * `cloudstate-tck` in proxy mode: certifies the proxy (and reruns the cases
 * for each runtime configuration), with the same console output, known
 * failures, reports and exit status as SDK mode.
 */
export async function runProxyMode(ctx: ProxyModeContext): Promise<number> {
  const { options, knownFailures, logger, out } = ctx;
  const reporter = new ConsoleReporter(out);
  let headed = false;
  const startedAt = new Date();
  const certification = await certifyProxy({
    config: ctx.config,
    cases: ctx.cases,
    ...(options.run === undefined ? {} : { run: options.run }),
    trace: options.trace,
    record: ctx.record !== undefined,
    logger,
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    ...(ctx.onInterrupt === undefined ? {} : { onStarted: ctx.onInterrupt }),
    onReady: (target, configuration) => {
      if (!headed) reporter.runStarted("proxy", target);
      headed = true;
      if (configuration !== undefined) out.write(`runtime configuration ${configuration.name}: ${describeConfiguration(configuration)}\n`);
    },
    onResult: (result) => reporter.caseFinished(applyKnownFailure(result, knownFailures)),
  });
  for (const warning of certification.warnings) logger.warn(warning);
  if (ctx.record !== undefined && certification.recording !== undefined) {
    writeRecording(ctx.record, certification.recording);
    logger.info(`recording: ${ctx.record}`);
  }
  return finishRun(
    {
      mode: "proxy",
      target: certification.target,
      startedAt,
      results: certification.results,
      knownFailures,
      reports: ctx.config.reports,
      ...(options.run === undefined ? {} : { run: options.run }),
      // Only the runs that failed: the others' output says nothing about a failure.
      ...(ctx.config.proxy?.kind === "address" ? {} : { output: certification.outputs.filter((o) => o.failed) }),
    },
    reporter,
    logger,
  );
}

/** `proxy args --x 1; proxy env A=b; user function env C=d`. */
export function describeConfiguration(rc: RuntimeConfiguration): string {
  const parts: string[] = [];
  if (rc.proxyArgs.length > 0) parts.push(`proxy args ${rc.proxyArgs.join(" ")}`);
  const env = (e: Readonly<Record<string, string>>) => Object.entries(e).map(([k, v]) => `${k}=${v}`).join(" ");
  if (Object.keys(rc.proxyEnv).length > 0) parts.push(`proxy env ${env(rc.proxyEnv)}`);
  if (Object.keys(rc.userFunctionEnv).length > 0) parts.push(`user function env ${env(rc.userFunctionEnv)}`);
  return parts.join("; ");
}
