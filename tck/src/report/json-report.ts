import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CaseFailure, CaseStatus, RunReport, RunSummary } from "../runner/results.js";

/** One case in the JSON report (the wire trace is left out: it is for people, in the console). */
export interface JsonCaseReport {
  readonly name: string;
  readonly area: string;
  readonly description: string;
  readonly status: CaseStatus;
  readonly requirements: readonly string[];
  readonly durationMs: number;
  readonly reason?: string;
  readonly failure?: CaseFailure;
}

/** The JSON report: the run, its summary, and every case. A stable shape for dashboards and CI. */
export interface JsonReport {
  readonly mode: RunReport["mode"];
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: RunSummary;
  readonly cases: readonly JsonCaseReport[];
}

/** The report as plain data, with fields in a fixed order. */
export function toJsonReport(report: RunReport): JsonReport {
  const s = report.summary;
  return {
    mode: report.mode,
    target: report.target,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    summary: {
      total: s.total,
      passed: s.passed,
      failed: s.failed,
      skipped: s.skipped,
      warnings: s.warnings,
      expectedFailures: s.expectedFailures,
      unexpectedPasses: s.unexpectedPasses,
    },
    cases: report.cases.map((c) => ({
      name: c.name,
      area: c.area,
      description: c.description,
      status: c.status,
      requirements: [...c.requirements],
      durationMs: c.durationMs,
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      ...(c.failure === undefined
        ? {}
        : {
            failure: {
              step: c.failure.step,
              message: c.failure.message,
              ...(c.failure.diff === undefined ? {} : { diff: c.failure.diff }),
            },
          }),
    })),
  };
}

/** Writes the JSON report to `file`, creating its directory. */
export function writeJsonReport(file: string, report: RunReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(toJsonReport(report), null, 2)}\n`);
}
