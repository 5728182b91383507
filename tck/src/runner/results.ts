/**
 * Outcome of one case. `warning`: an advisory case (SHOULD-level statements
 * only) failed, which does not fail the run; `expected-failure`: failed, and
 * listed in the known-failures file; `unexpected-pass`: listed there but
 * passed (a stale entry, which fails the run).
 */
export type CaseStatus = "passed" | "failed" | "warning" | "skipped" | "expected-failure" | "unexpected-pass";

export interface CaseFailure {
  /** 1-based index of the step that failed; 0 when the case failed before its steps. */
  readonly step: number;
  readonly message: string;
  /** Expected vs actual, rendered for people, when a message comparison failed. */
  readonly diff?: string;
}

export interface CaseResult {
  readonly name: string;
  readonly area: string;
  readonly description: string;
  readonly status: CaseStatus;
  /** Spec statement ids the case checks. */
  readonly requirements: readonly string[];
  readonly durationMs: number;
  /** Why it was skipped, or the known-failure reason. */
  readonly reason?: string;
  readonly failure?: CaseFailure;
  /** The wire exchange, when tracing. */
  readonly trace?: readonly string[];
}

export interface RunSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Advisory cases that failed (SHOULD-level statements not met). */
  readonly warnings: number;
  readonly expectedFailures: number;
  readonly unexpectedPasses: number;
}

export interface RunReport {
  readonly mode: "sdk" | "proxy";
  /** What was certified, e.g. the user function's library name and version. */
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: RunSummary;
  readonly cases: readonly CaseResult[];
}

export function summarize(cases: readonly CaseResult[]): RunSummary {
  const count = (status: CaseStatus) => cases.filter((c) => c.status === status).length;
  return {
    total: cases.length,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    warnings: count("warning"),
    expectedFailures: count("expected-failure"),
    unexpectedPasses: count("unexpected-pass"),
  };
}

/** A run succeeds when nothing failed unexpectedly and no known failure went stale. */
export function isSuccessful(summary: RunSummary): boolean {
  return summary.failed === 0 && summary.unexpectedPasses === 0;
}
