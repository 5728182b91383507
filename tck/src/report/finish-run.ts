import { applyKnownFailures, type KnownFailure } from "../config/known-failures.js";
import { isSuccessful, type CaseResult, type RunReport, summarize } from "../runner/results.js";
import type { ConsoleReporter, ProcessOutput } from "./console-reporter.js";
import { writeJsonReport } from "./json-report.js";
import { writeJunitReport } from "./junit-report.js";
import type { TckLogger } from "./tck-logger.js";

/** Exit statuses of the `cloudstate-tck` command. */
export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

export interface FinishedRun {
  readonly mode: RunReport["mode"];
  readonly target: string;
  readonly startedAt: Date;
  /** The results as the runner produced them, before known failures. */
  readonly results: readonly CaseResult[];
  readonly knownFailures: readonly KnownFailure[];
  readonly reports: { readonly json?: string; readonly junit?: string };
  /** The --run pattern, for the message when no case ran. */
  readonly run?: string;
  /** What was tested printed, shown when a case failed (see ConsoleReporter.runFinished). */
  readonly output?: string | readonly ProcessOutput[];
}

/**
 * The end of a run, the same in both modes: applies the known failures,
 * writes the JSON and JUnit reports, prints the failures and the summary, and
 * returns the exit status (a run where no case ran is an error).
 */
export function finishRun(run: FinishedRun, reporter: ConsoleReporter, logger: TckLogger): number {
  const durationMs = Date.now() - run.startedAt.getTime();
  if (run.results.length === 0) {
    logger.warn(run.run === undefined ? "no case ran" : `no case matches --run ${run.run}`);
    return EXIT_ERROR;
  }
  const { results, unmatched } = applyKnownFailures(run.results, run.knownFailures);
  for (const entry of unmatched) logger.warn(`known failure "${entry.pattern}" (${entry.source}) matched no case; remove or fix it`);
  const report: RunReport = { mode: run.mode, target: run.target, startedAt: run.startedAt.toISOString(), durationMs, summary: summarize(results), cases: results };
  if (run.reports.json !== undefined) {
    writeJsonReport(run.reports.json, report);
    logger.info(`JSON report: ${run.reports.json}`);
  }
  if (run.reports.junit !== undefined) {
    writeJunitReport(run.reports.junit, report);
    logger.info(`JUnit report: ${run.reports.junit}`);
  }
  reporter.runFinished(report, run.output);
  return isSuccessful(report.summary) ? EXIT_PASSED : EXIT_FAILED;
}
