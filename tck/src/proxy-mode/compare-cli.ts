import type { Writable } from "node:stream";
import type { LoadedCase } from "../cases/case-loader.js";
import type { CliOptions } from "../config/cli-options.js";
import type { TckConfig } from "../config/tck-config.js";
import { progressLine } from "../report/console-reporter.js";
import { EXIT_FAILED, EXIT_PASSED } from "../report/finish-run.js";
import type { TckLogger } from "../report/tck-logger.js";
import { certifyProxy } from "./proxy-certification.js";
import { comparisonLine, comparisonSummary, compareRecordings, hasDifferences, renderDifferences } from "./trace-diff.js";
import { loadRecording, type TraceRecording, writeRecording } from "./trace-recording.js";

/** A differential run: the same cases against two proxies. */
export interface CompareContext {
  readonly options: CliOptions;
  readonly configA: TckConfig;
  readonly configB: TckConfig;
  readonly cases: readonly LoadedCase[];
  readonly logger: TckLogger;
  readonly out: Writable;
  /** Absolute paths to write the two recordings to, if asked. */
  readonly recordA?: string;
  readonly recordB?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly onInterrupt?: (stop: () => Promise<void>) => void;
}

/**
 * Runs the proxy-mode cases against proxy A, then proxy B (each config's
 * main run; runtime configurations are not compared), recording the
 * intercepted exchanges, and reports per case where they differ. Exit status
 * 1 when anything differs: case failures alone are not compared, only their
 * outcome differing between the two.
 */
export async function runComparison(ctx: CompareContext): Promise<number> {
  const { out } = ctx;
  out.write("Cloudstate TCK differential run (proxy mode)\n");
  const a = await recordSide(ctx, "A", ctx.configA, ctx.recordA);
  const b = await recordSide(ctx, "B", ctx.configB, ctx.recordB);
  return reportComparison(a, b, out);
}

/** `--compare-traces A B`: compares two recordings offline. */
export function compareTraceFiles(fileA: string, fileB: string, out: Writable): number {
  const a = loadRecording(fileA);
  const b = loadRecording(fileB);
  out.write(`Comparing TCK recordings\nA: ${fileA} (${a.target})\nB: ${fileB} (${b.target})\n`);
  return reportComparison(a, b, out);
}

async function recordSide(ctx: CompareContext, side: "A" | "B", config: TckConfig, file: string | undefined): Promise<TraceRecording> {
  const { options, out } = ctx;
  const certification = await certifyProxy({
    // Runtime configurations make timing decide the exchanges (with passivation after 1 ms, whether the
    // next command finds the stream open is a race), so two runs of one proxy would differ: not compared.
    config: { ...config, runtimeConfigurations: [] },
    cases: ctx.cases,
    ...(options.run === undefined ? {} : { run: options.run }),
    record: true,
    logger: ctx.logger,
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    ...(ctx.onInterrupt === undefined ? {} : { onStarted: ctx.onInterrupt }),
    onReady: (target, configuration) => {
      if (configuration === undefined) out.write(`\n${side}: ${target}${config.file === undefined ? "" : ` (${config.file})`}\n`);
      else out.write(`${side}: runtime configuration ${configuration.name}\n`);
    },
    onResult: (result) => out.write(`${progressLine(result)}\n`),
  });
  for (const warning of certification.warnings) ctx.logger.warn(`${side}: ${warning}`);
  if (certification.results.length === 0) throw new Error(options.run === undefined ? "no proxy-mode case ran" : `no proxy-mode case matches --run ${options.run}`);
  const recording = certification.recording;
  if (recording === undefined) throw new Error("the run recorded nothing");
  if (file !== undefined) {
    writeRecording(file, recording);
    ctx.logger.info(`recording of ${side}: ${file}`);
  }
  return recording;
}

function reportComparison(a: TraceRecording, b: TraceRecording, out: Writable): number {
  const comparison = compareRecordings(a, b);
  out.write("\n");
  for (const c of comparison.cases) out.write(`${comparisonLine(c)}\n`);
  const details = renderDifferences(comparison);
  if (details !== "") out.write(`\n${details}\n`);
  out.write(`\n${comparisonSummary(comparison)}\n`);
  return hasDifferences(comparison) ? EXIT_FAILED : EXIT_PASSED;
}
