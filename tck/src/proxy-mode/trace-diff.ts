import type { JsonValue } from "@bufbuild/protobuf";
import { compareJson, equalJson, renderDiff } from "../runner/matcher.js";
import type { CaseStatus } from "../runner/results.js";
import { type NormalizedStream, normalizeExchange } from "./trace-normalizer.js";
import type { RecordedCase, TraceRecording } from "./trace-recording.js";

/** An exchange whose normalised calls differ between the two recordings (absent on one side: undefined). */
export interface ExchangeDifference {
  readonly exchange: string;
  readonly a?: readonly NormalizedStream[];
  readonly b?: readonly NormalizedStream[];
}

/** How one case compares. */
export interface CaseComparison {
  readonly name: string;
  readonly outcome: "same" | "different" | "only-a" | "only-b";
  readonly statusA?: CaseStatus;
  readonly statusB?: CaseStatus;
  /** Empty unless the outcome is "different" (a status difference alone has none). */
  readonly exchanges: readonly ExchangeDifference[];
}

export interface RecordingComparison {
  readonly targetA: string;
  readonly targetB: string;
  /** In A's case order, then cases only B has. */
  readonly cases: readonly CaseComparison[];
}

/**
 * Compares two recordings case by case (by name) and, within a case,
 * exchange by exchange (by name, whatever order they came in), after
 * normalising each exchange (see normalizeExchange). A case whose pass/fail
 * status differs is different even when its exchanges match.
 */
export function compareRecordings(a: TraceRecording, b: TraceRecording): RecordingComparison {
  const byName = new Map(b.cases.map((c) => [c.name, c]));
  const cases: CaseComparison[] = a.cases.map((ca) => {
    const cb = byName.get(ca.name);
    if (cb === undefined) return { name: ca.name, outcome: "only-a", statusA: ca.status, exchanges: [] };
    const exchanges = compareCase(ca, cb);
    const outcome = exchanges.length > 0 || ca.status !== cb.status ? "different" : "same";
    return { name: ca.name, outcome, statusA: ca.status, statusB: cb.status, exchanges };
  });
  const inA = new Set(a.cases.map((c) => c.name));
  for (const cb of b.cases) if (!inA.has(cb.name)) cases.push({ name: cb.name, outcome: "only-b", statusB: cb.status, exchanges: [] });
  return { targetA: a.target, targetB: b.target, cases };
}

function compareCase(a: RecordedCase, b: RecordedCase): ExchangeDifference[] {
  const normalized = (c: RecordedCase) => new Map(c.exchanges.map((e) => [e.exchange, normalizeExchange(e)]));
  const na = normalized(a);
  const nb = normalized(b);
  const names = [...new Set([...na.keys(), ...nb.keys()])].sort();
  const out: ExchangeDifference[] = [];
  for (const exchange of names) {
    const ea = na.get(exchange);
    const eb = nb.get(exchange);
    if (ea !== undefined && eb !== undefined && equalJson(toJson(ea), toJson(eb))) continue;
    out.push({ exchange, ...(ea === undefined ? {} : { a: ea }), ...(eb === undefined ? {} : { b: eb }) });
  }
  return out;
}

function toJson(streams: readonly NormalizedStream[]): JsonValue {
  return streams.map((s) => ({ toUserFunction: [...s.toUserFunction], toProxy: [...s.toProxy] }));
}

/** Whether any case differs or is missing on one side. */
export function hasDifferences(comparison: RecordingComparison): boolean {
  return comparison.cases.some((c) => c.outcome !== "same");
}

const MARKS: Record<CaseComparison["outcome"], string> = { same: "same", different: "DIFF", "only-a": "only A", "only-b": "only B" };

/** One line per case: `  same    Proxy/...`. */
export function comparisonLine(c: CaseComparison): string {
  return `  ${MARKS[c.outcome].padEnd(8)}${c.name}`;
}

/**
 * The details of every differing case: status differences, then each
 * differing exchange with the differing paths and a line diff of its
 * normalised calls (`-` A only, `+` B only).
 */
export function renderDifferences(comparison: RecordingComparison): string {
  const blocks: string[] = [];
  for (const c of comparison.cases) {
    if (c.outcome === "same") continue;
    const lines = [`DIFFERS: ${c.name}`];
    if (c.outcome === "only-a" || c.outcome === "only-b") {
      lines.push(`  only recorded with ${c.outcome === "only-a" ? "A" : "B"} (${c.outcome === "only-a" ? comparison.targetA : comparison.targetB})`);
    } else if (c.statusA !== c.statusB) {
      lines.push(`  the case ${c.statusA ?? "?"} with A and ${c.statusB ?? "?"} with B`);
    }
    for (const e of c.exchanges) {
      const a = e.a === undefined ? [] : toJson(e.a);
      const b = e.b === undefined ? [] : toJson(e.b);
      const where = e.a === undefined ? " (only with B)" : e.b === undefined ? " (only with A)" : "";
      lines.push(`  exchange ${e.exchange}${where}`);
      const diff = renderDiff(a, b, compareJson(a, b), { expected: "A", actual: "B" });
      lines.push(...diff.split("\n").map((l) => `    ${l}`));
    }
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

/** `N cases compared: N same, N different, N only in A, N only in B`. */
export function comparisonSummary(comparison: RecordingComparison): string {
  const count = (o: CaseComparison["outcome"]) => comparison.cases.filter((c) => c.outcome === o).length;
  const parts = [`${count("same")} same`, `${count("different")} different`];
  if (count("only-a") > 0) parts.push(`${count("only-a")} only in A`);
  if (count("only-b") > 0) parts.push(`${count("only-b")} only in B`);
  return `${comparison.cases.length} case${comparison.cases.length === 1 ? "" : "s"} compared: ${parts.join(", ")}`;
}
