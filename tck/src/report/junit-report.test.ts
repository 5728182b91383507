import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_CASES, SAMPLE_REPORT } from "../../test/sample-report.js";
import { renderJunitReport, writeJunitReport } from "./junit-report.js";

/**
 * A small well-formedness check (no XML parser is installed): balanced tags,
 * quoted attributes, and no raw `<` or stray `&` in text or attributes.
 */
function checkWellFormed(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, "");
  const token = /<(\/?)([A-Za-z-]+)((?:\s+[A-Za-z-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(token)) {
    const [, closing, name, attrs, selfClosing, text, strayLt] = m;
    if (strayLt !== undefined) problems.push(`raw < at ${m.index}`);
    const checkEntities = (s: string) => {
      for (const amp of s.matchAll(/&(?!(amp|lt|gt|quot|apos|#\d+);)/g)) problems.push(`stray & at ${m.index + amp.index}`);
    };
    if (text !== undefined) {
      checkEntities(text);
      continue;
    }
    if (name === undefined) continue;
    checkEntities(attrs ?? "");
    if (closing === "/") {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else if (selfClosing !== "/") stack.push(name);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  return problems;
}

describe("renderJunitReport", () => {
  it("renders one suite per area and each status as CI tools expect", () => {
    expect(renderJunitReport(SAMPLE_REPORT)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="cloudstate-tck sdk: fixture-sdk 9.9.9 (protocol 0.2)" tests="5" failures="2" errors="0" skipped="1" time="1.600" timestamp="2024-05-01T10:00:00.000Z">
  <testsuite name="EventSourced" tests="2" failures="1" errors="0" skipped="0" time="1.515" timestamp="2024-05-01T10:00:00.000Z">
    <properties>
      <property name="mode" value="sdk"/>
      <property name="target" value="fixture-sdk 9.9.9 (protocol 0.2)"/>
    </properties>
    <testcase classname="EventSourced" name="Init/starts-empty" time="0.012">
      <properties>
        <property name="requirements" value="ES-10 CMD-6"/>
      </properties>
    </testcase>
    <testcase classname="EventSourced" name="Snapshot/every-5-events" time="1.503">
      <properties>
        <property name="requirements" value="ES-20"/>
      </properties>
      <failure message="step 4: reply differs from &quot;expected&quot;" type="failed">step 4: reply differs from "expected"
- snapshot: abcde
+ snapshot: &lt;none&gt;</failure>
    </testcase>
  </testsuite>
  <testsuite name="Crdt" tests="1" failures="0" errors="0" skipped="1" time="0.000" timestamp="2024-05-01T10:00:00.000Z">
    <properties>
      <property name="mode" value="sdk"/>
      <property name="target" value="fixture-sdk 9.9.9 (protocol 0.2)"/>
    </properties>
    <testcase classname="Crdt" name="GCounter/increment" time="0.000">
      <properties>
        <property name="requirements" value="CRDT-1"/>
      </properties>
      <skipped message="not claimed: cloudstate.tck.model.CrdtTckModel"/>
    </testcase>
  </testsuite>
  <testsuite name="Action" tests="2" failures="1" errors="0" skipped="0" time="0.010" timestamp="2024-05-01T10:00:00.000Z">
    <properties>
      <property name="mode" value="sdk"/>
      <property name="target" value="fixture-sdk 9.9.9 (protocol 0.2)"/>
    </properties>
    <testcase classname="Action" name="Unary/forward" time="0.007">
      <properties>
        <property name="requirements" value="ACT-3"/>
      </properties>
      <system-out>expected failure (known failure: forwards are not implemented)
step 2: no reply within 3000 ms</system-out>
    </testcase>
    <testcase classname="Action" name="Unary/reply" time="0.003">
      <failure message="listed as a known failure but passed" type="unexpected-pass">known-failure reason: was broken in 0.1
the case passes: remove it from the known-failures file</failure>
    </testcase>
  </testsuite>
</testsuites>
`,
    );
  });

  it("escapes markup, quotes, line breaks and characters XML cannot hold", () => {
    const nasty = 'a <b> & "c" \'d\'\n\ttab \u0001 \uD800 ]]> 😀';
    const xml = renderJunitReport({
      ...SAMPLE_REPORT,
      target: nasty,
      cases: [{ ...SAMPLE_CASES[1]!, area: nasty, name: `${nasty}/x`, failure: { step: 1, message: nasty, diff: nasty } }],
    });
    expect(checkWellFormed(xml)).toEqual([]);
    expect(xml).toContain(`classname="a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;&#10;&#9;tab \\u0001 \\ud800 ]]&gt; 😀"`);
    expect(xml).toContain(`type="failed">step 1: a &lt;b&gt; &amp; "c" 'd'\n\ttab \\u0001 \\ud800 ]]&gt; 😀\n`);
  });

  it("the checker itself catches broken XML", () => {
    expect(checkWellFormed('<a b="x"><c>1 & 2</c>')).toEqual(["stray & at 14", "unclosed: a"]);
  });
});

describe("writeJunitReport", () => {
  it("writes the file, creating directories", () => {
    const file = join(mkdtempSync(join(tmpdir(), "tck-junit-")), "a", "b", "report.xml");
    writeJunitReport(file, SAMPLE_REPORT);
    expect(readFileSync(file, "utf8")).toBe(renderJunitReport(SAMPLE_REPORT));
  });
});
