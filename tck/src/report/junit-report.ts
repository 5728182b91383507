import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CaseResult, RunReport } from "../runner/results.js";
import { UNEXPECTED_PASS_MESSAGE } from "./console-reporter.js";

/**
 * The run as JUnit XML, for CI systems: one testsuite per area, one testcase
 * per case (classname = area, name = the rest of the case name). Known
 * failures count as passed with a note in system-out; unexpected passes are
 * failures, like in the console.
 */
export function renderJunitReport(report: RunReport): string {
  const areas = new Map<string, CaseResult[]>();
  for (const c of report.cases) {
    const list = areas.get(c.area);
    if (list === undefined) areas.set(c.area, [c]);
    else list.push(c);
  }
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${attr(`cloudstate-tck ${report.mode}: ${report.target}`)}" tests="${report.cases.length}" failures="${failures(report.cases)}" errors="0" skipped="${skipped(report.cases)}" time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`,
  ];
  for (const [area, cases] of areas) {
    const time = cases.reduce((sum, c) => sum + c.durationMs, 0);
    lines.push(
      `  <testsuite name="${attr(area)}" tests="${cases.length}" failures="${failures(cases)}" errors="0" skipped="${skipped(cases)}" time="${seconds(time)}" timestamp="${attr(report.startedAt)}">`,
      `    <properties>`,
      `      <property name="mode" value="${attr(report.mode)}"/>`,
      `      <property name="target" value="${attr(report.target)}"/>`,
      `    </properties>`,
    );
    for (const c of cases) lines.push(...testcase(c));
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`, "");
  return lines.join("\n");
}

/** Writes the JUnit report to `file`, creating its directory. */
export function writeJunitReport(file: string, report: RunReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJunitReport(report));
}

function testcase(c: CaseResult): string[] {
  const name = c.name.startsWith(`${c.area}/`) ? c.name.slice(c.area.length + 1) : c.name;
  const open = `    <testcase classname="${attr(c.area)}" name="${attr(name)}" time="${seconds(c.durationMs)}">`;
  const body: string[] = [];
  if (c.requirements.length > 0) {
    body.push(`      <properties>`, `        <property name="requirements" value="${attr(c.requirements.join(" "))}"/>`, `      </properties>`);
  }
  switch (c.status) {
    case "passed":
      break;
    case "failed":
      body.push(`      <failure message="${attr(failureMessage(c))}" type="failed">${text(failureDetails(c))}</failure>`);
      break;
    case "skipped":
      body.push(`      <skipped message="${attr(c.reason ?? "skipped")}"/>`);
      break;
    case "warning":
      body.push(`      <system-out>${text(`warning: advisory case (SHOULD-level) not met\n${failureDetails(c)}`)}</system-out>`);
      break;
    case "expected-failure":
      body.push(`      <system-out>${text(`expected failure (known failure: ${c.reason ?? ""})\n${failureDetails(c)}`)}</system-out>`);
      break;
    case "unexpected-pass":
      body.push(
        `      <failure message="${attr(UNEXPECTED_PASS_MESSAGE)}" type="unexpected-pass">${text(`known-failure reason: ${c.reason ?? ""}\nthe case passes: remove it from the known-failures file`)}</failure>`,
      );
      break;
  }
  return body.length === 0 ? [`${open.slice(0, -1)}/>`] : [open, ...body, `    </testcase>`];
}

function failureMessage(c: CaseResult): string {
  const f = c.failure;
  if (f === undefined) return "failed";
  return `${f.step === 0 ? "before the first step" : `step ${f.step}`}: ${f.message}`;
}

function failureDetails(c: CaseResult): string {
  const diff = c.failure?.diff;
  return diff === undefined || diff === "" ? failureMessage(c) : `${failureMessage(c)}\n${diff}`;
}

function failures(cases: readonly CaseResult[]): number {
  return cases.filter((c) => c.status === "failed" || c.status === "unexpected-pass").length;
}

function skipped(cases: readonly CaseResult[]): number {
  return cases.filter((c) => c.status === "skipped").length;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// XML 1.0 cannot carry most control characters or lone surrogates, even as references: show them instead.
// With the u flag, surrogate pairs are one code point, so only lone halves match.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

function visible(value: string): string {
  return value.replace(INVALID_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Escapes element text. */
function text(value: string): string {
  return visible(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes an attribute value, keeping line breaks and tabs (which attribute normalization would flatten). */
function attr(value: string): string {
  return text(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}
