import { tckCases } from "@cloudstate/protocol";
import type { LoadedCase } from "../cases/case-loader.js";
import type { CoverageExclusion } from "./coverage-exclusions.js";
import { GENERATED_MARKER, ROLES, type Role, type SpecStatement, STRENGTHS, type Strength } from "./spec-statements.js";

/** Which side a case certifies: the user function (the TCK plays the proxy) or the proxy. */
export type CaseSide = "sdk" | "proxy";

/** What coverage needs of a case. */
export interface CoverageCase {
  readonly name: string;
  /** Where the case is written, for messages. */
  readonly file: string;
  readonly side: CaseSide;
  /** Spec statement ids the case cites. */
  readonly requirements: readonly string[];
}

/** The coverage view of loaded cases. */
export function coverageCases(loaded: readonly LoadedCase[]): CoverageCase[] {
  return loaded.map(({ case: c, file }) => ({ name: c.name, file, side: caseSide(c.mode, c.name), requirements: c.requirements }));
}

function caseSide(mode: tckCases.Mode, name: string): CaseSide {
  switch (mode) {
    case tckCases.Mode.MODE_SDK_UNSPECIFIED:
      return "sdk";
    case tckCases.Mode.MODE_PROXY:
      return "proxy";
    case tckCases.Mode.UNRECOGNIZED:
      throw new Error(`case ${name} has an unknown mode`);
  }
}

/**
 * The side whose cases can cover a statement: `[uf]` and `[both]` statements
 * are checked by SDK cases, `[proxy]` statements by proxy cases.
 */
export function sideOf(role: Role): CaseSide {
  return role === "proxy" ? "proxy" : "sdk";
}

/** One statement and the names of the cases, by side, that cite it. */
export interface StatementCoverage {
  readonly statement: SpecStatement;
  readonly sdkCases: readonly string[];
  readonly proxyCases: readonly string[];
  /** Why the TCK cannot check the statement, when it is excluded (tck/coverage-exclusions.yaml). */
  readonly excludedBecause?: string;
}

/** A case citing an id no statement has: an error, the case checks nothing the spec says. */
export interface UnknownRequirement {
  readonly id: string;
  readonly caseName: string;
  readonly file: string;
}

/**
 * An exclusion that no longer holds: its id names no statement, or a case of
 * the statement's side cites it (then the statement is checked after all).
 */
export interface StaleExclusion {
  readonly id: string;
  /** The citing cases; empty when the id names no statement. */
  readonly citedBy: readonly string[];
}

export interface CoverageReport {
  /** In the order of the statements given. */
  readonly statements: readonly StatementCoverage[];
  readonly unknownRequirements: readonly UnknownRequirement[];
  readonly staleExclusions: readonly StaleExclusion[];
}

/**
 * Joins statements with the cases citing them and with the exclusions, and
 * finds citations of ids that do not exist and stale exclusions.
 */
export function joinCoverage(statements: readonly SpecStatement[], cases: readonly CoverageCase[], exclusions: readonly CoverageExclusion[] = []): CoverageReport {
  const citing = new Map<string, { sdk: Set<string>; proxy: Set<string> }>(statements.map((s) => [s.id, { sdk: new Set(), proxy: new Set() }]));
  const unknownRequirements: UnknownRequirement[] = [];
  for (const c of cases) {
    for (const id of c.requirements) {
      const entry = citing.get(id);
      if (entry === undefined) unknownRequirements.push({ id, caseName: c.name, file: c.file });
      else entry[c.side].add(c.name);
    }
  }
  const reasons = new Map(exclusions.map((e) => [e.id, e.reason]));
  const joined: StatementCoverage[] = statements.map((statement) => {
    const entry = citing.get(statement.id);
    const reason = reasons.get(statement.id);
    return { statement, sdkCases: [...(entry?.sdk ?? [])], proxyCases: [...(entry?.proxy ?? [])], ...(reason === undefined ? {} : { excludedBecause: reason }) };
  });
  const byId = new Map(joined.map((c) => [c.statement.id, c]));
  const staleExclusions = exclusions.flatMap((e): StaleExclusion[] => {
    const coverage = byId.get(e.id);
    if (coverage === undefined) return [{ id: e.id, citedBy: [] }];
    return isCovered(coverage) ? [{ id: e.id, citedBy: [...sideCases(coverage)].sort() }] : [];
  });
  return { statements: joined, unknownRequirements, staleExclusions };
}

function sideCases(coverage: StatementCoverage): readonly string[] {
  return sideOf(coverage.statement.role) === "sdk" ? coverage.sdkCases : coverage.proxyCases;
}

/** Whether a case of the statement's own side cites it. */
export function isCovered(coverage: StatementCoverage): boolean {
  return sideCases(coverage).length > 0;
}

/** Whether the statement is excluded: the TCK cannot check it (and no case of its side claims to). */
export function isExcluded(coverage: StatementCoverage): boolean {
  return coverage.excludedBecause !== undefined && !isCovered(coverage);
}

/** The strengths a conforming implementation cannot set aside. */
export const ABSOLUTE_STRENGTHS: readonly Strength[] = ["MUST", "MUST NOT"];

/**
 * The MUST and MUST NOT statements of the given roles that no case of their
 * side cites and that are not excluded: the gaps that keep the TCK from
 * certifying those roles.
 */
export function uncoveredMusts(
  statements: readonly SpecStatement[],
  cases: readonly CoverageCase[],
  roles: readonly Role[],
  exclusions: readonly CoverageExclusion[] = [],
): SpecStatement[] {
  return joinCoverage(statements, cases, exclusions)
    .statements.filter((c) => roles.includes(c.statement.role) && ABSOLUTE_STRENGTHS.includes(c.statement.strength) && !isCovered(c) && !isExcluded(c))
    .map((c) => c.statement);
}

/** Statements and covered statements of one role and strength. */
export interface CoverageSummaryRow {
  readonly role: Role;
  readonly strength: Strength;
  readonly total: number;
  readonly covered: number;
  /** Not covered because the TCK cannot check them (exclusions). */
  readonly excluded: number;
}

/** Counts per role × strength, in ROLES × STRENGTHS order, leaving out combinations with no statement. */
export function summarizeCoverage(report: CoverageReport): CoverageSummaryRow[] {
  return ROLES.flatMap((role) =>
    STRENGTHS.map((strength) => {
      const matching = report.statements.filter((c) => c.statement.role === role && c.statement.strength === strength);
      return { role, strength, total: matching.length, covered: matching.filter(isCovered).length, excluded: matching.filter(isExcluded).length };
    }),
  ).filter((row) => row.total > 0);
}

export interface RenderOptions {
  /** The link to a spec file from where the Markdown is written; default: the file name (same directory). */
  readonly specLink?: (file: string) => string;
  /** How the file is regenerated, for the header. */
  readonly regenerate?: string;
}

/** Longest statement excerpt in the table, in characters. */
export const SHORT_TEXT_LENGTH = 100;

/**
 * The coverage as Markdown: a "generated, do not edit" header, the summary
 * per role and strength, then one table per spec file (statements in id order).
 */
export function renderCoverageMarkdown(report: CoverageReport, options: RenderOptions = {}): string {
  const link = options.specLink ?? ((file: string) => file);
  const regenerate = options.regenerate ?? "make spec-coverage";
  const out: string[] = [
    `${GENERATED_MARKER} tck/src/coverage/coverage-cli.ts (${regenerate}). Do not edit: change spec/*.md or tck/cases/*.yaml and regenerate. -->`,
    "",
    "# Spec coverage",
    "",
    `Generated, do not edit: \`${regenerate}\` rewrites this file from the statements of the spec files and the`,
    "`requirements` of the TCK cases (`tck/cases/*.yaml`).",
    "",
    "A statement is **covered** when at least one case of its side cites it: SDK cases for `[uf]` and",
    "`[both]` statements, proxy cases for `[proxy]` statements. A case cites the statements it checks,",
    "so covered means checked by some case, not checked exhaustively.",
    "",
    "A statement is **excluded** when the TCK cannot check it from the wire (for example, that memory is",
    "released); `tck/coverage-exclusions.yaml` gives the reason, shown in the table, and names what checks",
    "it instead where something does. Excluded statements count as accounted for by the coverage check.",
    "",
    "## Summary",
    "",
    "| role | strength | statements | covered | excluded | |",
    "|---|---|---:|---:|---:|---:|",
  ];
  const rows = summarizeCoverage(report);
  for (const row of rows) out.push(`| ${row.role} | ${row.strength} | ${row.total} | ${row.covered} | ${row.excluded} | ${percent(row.covered, row.total)} |`);
  const total = rows.reduce((sum, r) => sum + r.total, 0);
  const covered = rows.reduce((sum, r) => sum + r.covered, 0);
  const excluded = rows.reduce((sum, r) => sum + r.excluded, 0);
  out.push(`| **all** | | **${total}** | **${covered}** | **${excluded}** | **${percent(covered, total)}** |`);

  for (const [file, group] of groupByFile(report.statements)) {
    const fileCovered = group.filter(isCovered).length;
    const fileExcluded = group.filter(isExcluded).length;
    const prefixes = [...new Set(group.map((c) => c.statement.prefix))].join(", ");
    out.push(
      "",
      `## [${file}](${link(file)}) (${prefixes})`,
      "",
      `${group.length} statements, ${fileCovered} covered${fileExcluded > 0 ? `, ${fileExcluded} excluded` : ""}.`,
      "",
      "| id | role | strength | statement | SDK cases | proxy cases |",
      "|---|---|---|---|---|---|",
    );
    const sorted = [...group].sort((a, b) => a.statement.number - b.statement.number);
    for (const c of sorted) {
      const s = c.statement;
      const excluded = isExcluded(c) ? `*excluded:* ${cell(c.excludedBecause ?? "")}` : undefined;
      const sdk = excluded !== undefined && sideOf(s.role) === "sdk" ? excluded : caseList(c.sdkCases);
      const proxy = excluded !== undefined && sideOf(s.role) === "proxy" ? excluded : caseList(c.proxyCases);
      out.push(`| ${s.id} | ${s.role} | ${s.strength} | ${cell(shortText(s.text))} | ${sdk} | ${proxy} |`);
    }
  }
  return `${out.join("\n")}\n`;
}

/**
 * A statement shortened for a table cell: links reduced to their text, cut at
 * a word boundary, never leaving a code span open.
 */
export function shortText(text: string, max = SHORT_TEXT_LENGTH): string {
  const plain = text.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\s+/g, " ").trim();
  if (plain.length <= max) return plain;
  let cut = plain.slice(0, max);
  const space = cut.lastIndexOf(" ");
  if (space > max / 2) cut = cut.slice(0, space);
  // An odd number of backticks means a code span was cut open: drop its start.
  if ((cut.match(/`/g) ?? []).length % 2 === 1) cut = cut.slice(0, cut.lastIndexOf("`"));
  return `${cut.trimEnd().replace(/[,;:.]$/, "")} …`;
}

function groupByFile(statements: readonly StatementCoverage[]): Map<string, StatementCoverage[]> {
  const groups = new Map<string, StatementCoverage[]>();
  for (const c of statements) groups.set(c.statement.file, [...(groups.get(c.statement.file) ?? []), c]);
  return groups;
}

function caseList(names: readonly string[]): string {
  return [...names].sort().map(cell).join("<br>");
}

// A pipe would end the cell, even inside a code span (GFM tables).
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${Math.floor((part * 100) / whole)}%`;
}
