import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage } from "../report/error-message.js";
import type { CaseResult } from "../runner/results.js";

/** One line of a known-failures file: cases the target is known to fail, and why. */
export interface KnownFailure {
  /** Case-name pattern; `*` matches any characters, slashes included. */
  readonly pattern: string;
  readonly reason: string;
  /** Where it was written, for messages: `file:line`. */
  readonly source: string;
}

/** A known-failures file that cannot be used. */
export class KnownFailuresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KnownFailuresError";
  }
}

/** Reads a known-failures file. */
export function loadKnownFailures(file: string): KnownFailure[] {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new KnownFailuresError(`${absolute}: cannot read the known-failures file: ${errorMessage(error)}`);
  }
  return parseKnownFailures(text, absolute);
}

/**
 * Parses `<case-name-pattern>  # <reason>` lines. Blank lines and lines
 * starting with `#` are ignored. A reason is mandatory: an unexplained
 * exclusion is how a certification quietly loses meaning.
 */
export function parseKnownFailures(text: string, file: string): KnownFailure[] {
  const entries: KnownFailure[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const source = `${file}:${index + 1}`;
    const hash = line.indexOf("#");
    const pattern = (hash < 0 ? line : line.slice(0, hash)).trim();
    const reason = hash < 0 ? "" : line.slice(hash + 1).trim();
    if (reason === "") {
      problems.push(`${source}: "${pattern}" has no reason; write it as "${pattern}  # <why it fails>"`);
      return;
    }
    entries.push({ pattern, reason, source });
  });
  if (problems.length > 0) throw new KnownFailuresError(problems.join("\n"));
  return entries;
}

/** Whether a case name matches a known-failure pattern (the whole name; `*` is any characters). */
export function matchesKnownFailure(name: string, pattern: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${regex}$`).test(name);
}

/**
 * Applies the known failures to one result: a failed case listed becomes
 * `expected-failure`, a passed one `unexpected-pass` (a stale entry, which
 * fails the run). Skipped cases and results already classified stay as they are.
 */
export function applyKnownFailure(result: CaseResult, entries: readonly KnownFailure[]): CaseResult {
  if (result.status !== "failed" && result.status !== "passed") return result;
  const entry = entries.find((e) => matchesKnownFailure(result.name, e.pattern));
  if (entry === undefined) return result;
  return { ...result, status: result.status === "failed" ? "expected-failure" : "unexpected-pass", reason: entry.reason };
}

export interface KnownFailuresOutcome {
  readonly results: CaseResult[];
  /** Entries that matched no case at all: probably renamed or removed cases. */
  readonly unmatched: KnownFailure[];
}

/** Applies the known failures to a run's results, and finds the entries that matched nothing. */
export function applyKnownFailures(results: readonly CaseResult[], entries: readonly KnownFailure[]): KnownFailuresOutcome {
  return {
    results: results.map((r) => applyKnownFailure(r, entries)),
    unmatched: entries.filter((e) => !results.some((r) => matchesKnownFailure(r.name, e.pattern))),
  };
}
