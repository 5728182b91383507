import type { Writable } from "node:stream";
import type { CaseResult, CaseStatus, RunReport, RunSummary } from "../runner/results.js";
import { formatOutputTail } from "../user-function/output-tail.js";

const LABELS: Record<CaseStatus, string> = {
  passed: "ok",
  failed: "FAIL",
  warning: "WARN",
  skipped: "skip",
  "expected-failure": "xfail",
  "unexpected-pass": "XPASS",
};

/** A started process's output, and what it is ("proxy", "user function"). */
export interface ProcessOutput {
  readonly what: string;
  readonly text: string;
}

/** The message an unexpected pass is reported with, here and in the JUnit report. */
export const UNEXPECTED_PASS_MESSAGE = "listed as a known failure but passed";

/**
 * Human-readable progress and summary, for a terminal or a CI log. Library
 * code never writes to process.stdout itself: the caller passes the stream
 * (the CLI passes stdout).
 */
export class ConsoleReporter {
  constructor(private readonly out: Writable) {}

  /** The heading of a run. */
  runStarted(mode: RunReport["mode"], target: string): void {
    this.out.write(`Cloudstate TCK (${mode} mode) against ${target}\n`);
  }

  /** One line per finished case, plus its wire trace when one was recorded. */
  caseFinished(result: CaseResult): void {
    this.out.write(`${progressLine(result)}\n`);
    for (const line of result.trace ?? []) this.out.write(`        ${line}\n`);
  }

  /**
   * The details of every failure (unexpected passes included), the output
   * tail of what was tested when a case failed (pass the user function's when
   * the TCK started it, or in proxy mode the proxy's, one per run), and the
   * summary line.
   */
  runFinished(report: RunReport, output?: string | readonly ProcessOutput[]): void {
    const failures = report.cases.filter((c) => c.status === "failed" || c.status === "unexpected-pass");
    for (const c of failures) this.out.write(`\n${failureBlock(c)}\n`);
    if (output !== undefined && report.cases.some((c) => c.status === "failed")) {
      const outputs = typeof output === "string" ? [{ what: "user function", text: output }] : output;
      for (const o of outputs) this.out.write(`\n${formatOutputTail(o.text, "  | ", o.what)}\n`);
    }
    this.out.write(`\n${summaryLine(report.summary)}\n`);
  }
}

/** `  ok    Area/Topic/name (12 ms)` and the like. */
export function progressLine(result: CaseResult): string {
  const label = LABELS[result.status].padEnd(6);
  const time = `(${result.durationMs} ms)`;
  switch (result.status) {
    case "skipped":
      return `  ${label}${result.name} (${result.reason ?? "skipped"})`;
    case "expected-failure":
      return `  ${label}${result.name} ${time} known failure: ${result.reason ?? ""}`;
    case "unexpected-pass":
      return `  ${label}${result.name} ${time} ${UNEXPECTED_PASS_MESSAGE}`;
    case "warning":
      return `  ${label}${result.name} ${time} advisory (SHOULD): ${result.failure?.message ?? ""}`;
    case "passed":
    case "failed":
      return `  ${label}${result.name} ${time}`;
  }
}

/** The `FAILED: <name>` block: where and why, with the diff indented. */
export function failureBlock(result: CaseResult): string {
  const lines = [`FAILED: ${result.name}`];
  if (result.status === "unexpected-pass") {
    lines.push(`  ${UNEXPECTED_PASS_MESSAGE} (listed because: ${result.reason ?? ""})`);
    lines.push("  remove it from the known-failures file");
    return lines.join("\n");
  }
  const failure = result.failure;
  if (failure === undefined) {
    lines.push("  (no failure details)");
    return lines.join("\n");
  }
  const where = failure.step === 0 ? "before the first step" : `step ${failure.step}`;
  lines.push(...indent(`${where}: ${failure.message}`, "  "));
  if (failure.diff !== undefined && failure.diff !== "") lines.push(...indent(failure.diff, "    "));
  return lines.join("\n");
}

/** `N passed, N failed, N skipped`, plus known-failure counts when non-zero. */
export function summaryLine(summary: RunSummary): string {
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`, `${summary.skipped} skipped`];
  if (summary.warnings > 0) parts.push(`${summary.warnings} warning${summary.warnings === 1 ? "" : "s"}`);
  if (summary.expectedFailures > 0) parts.push(`${summary.expectedFailures} expected failure${summary.expectedFailures === 1 ? "" : "s"}`);
  if (summary.unexpectedPasses > 0) parts.push(`${summary.unexpectedPasses} unexpected pass${summary.unexpectedPasses === 1 ? "" : "es"}`);
  return parts.join(", ");
}

function indent(text: string, prefix: string): string[] {
  return text.trimEnd().split("\n").map((line) => `${prefix}${line}`);
}
