import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareRecordings, comparisonLine, comparisonSummary, hasDifferences, renderDifferences } from "./trace-diff.js";
import { loadRecording, RECORDING_FORMAT, type RecordedCase, RecordingError, type TraceRecording, writeRecording } from "./trace-recording.js";

const ES = "cloudstate.eventsourced.EventSourced/handle";

function esCase(name: string, entity: string, ids: [string, string], message: string, at = 0): RecordedCase {
  return {
    name,
    status: "passed",
    exchanges: [
      {
        exchange: `${ES}|${entity}`,
        events: [
          { direction: "to-user-function", atMs: at, message: { init: { entityId: entity } } },
          { direction: "to-user-function", atMs: at + 1, message: { command: { id: ids[0], name: "Process" } } },
          { direction: "to-proxy", atMs: at + 2, message: { reply: { commandId: ids[0], clientAction: { reply: { payload: { message } } } } } },
          { direction: "to-user-function", atMs: at + 3, message: { command: { id: ids[1], name: "Process" } } },
          { direction: "to-proxy", atMs: at + 4, message: { reply: { commandId: ids[1] } } },
        ],
      },
    ],
  };
}

function recording(target: string, cases: RecordedCase[]): TraceRecording {
  return { format: RECORDING_FORMAT, target, recordedAt: "2026-01-01T00:00:00.000Z", cases };
}

describe("compareRecordings", () => {
  it("finds nothing between recordings that differ only in ids, times and exchange order", () => {
    const two = (x: RecordedCase, y: RecordedCase): RecordedCase => ({ name: "Proxy/two", status: "passed", exchanges: [...x.exchanges, ...y.exchanges] });
    const a = recording("proxy-a 1", [two(esCase("x", "e-1", ["1", "2"], "a"), esCase("x", "e-2", ["1", "2"], "b"))]);
    const b = recording("proxy-b 2", [two(esCase("x", "e-2", ["7", "8"], "b", 50), esCase("x", "e-1", ["3", "4"], "a", 90))]);
    const comparison = compareRecordings(a, b);
    expect(comparison.cases).toEqual([{ name: "Proxy/two", outcome: "same", statusA: "passed", statusB: "passed", exchanges: [] }]);
    expect(hasDifferences(comparison)).toBe(false);
    expect(comparisonSummary(comparison)).toBe("1 case compared: 1 same, 0 different");
    expect(renderDifferences(comparison)).toBe("");
  });

  it("reports a differing exchange with the paths and a line diff, and cases found on one side only", () => {
    const a = recording("A", [esCase("Proxy/one", "e-1", ["1", "2"], "a"), esCase("Proxy/gone", "e-3", ["1", "2"], "x")]);
    const b = recording("B", [esCase("Proxy/one", "e-1", ["1", "2"], "EDITED"), esCase("Proxy/new", "e-4", ["1", "2"], "y")]);
    const comparison = compareRecordings(a, b);
    expect(comparison.cases.map((c) => [c.name, c.outcome])).toEqual([
      ["Proxy/one", "different"],
      ["Proxy/gone", "only-a"],
      ["Proxy/new", "only-b"],
    ]);
    expect(comparison.cases.map(comparisonLine)).toEqual(["  DIFF    Proxy/one", "  only A  Proxy/gone", "  only B  Proxy/new"]);
    const text = renderDifferences(comparison);
    expect(text).toContain(`DIFFERS: Proxy/one\n  exchange ${ES}|e-1\n    at [0].toProxy[0].reply.clientAction.reply.payload.message: A has "a", B has "EDITED"\n    --- A\n    +++ B\n`);
    expect(text).toContain(`\n    -                 "message": "a"\n    +                 "message": "EDITED"\n`);
    expect(text).toContain("DIFFERS: Proxy/gone\n  only recorded with A (A)");
    expect(text).toContain("DIFFERS: Proxy/new\n  only recorded with B (B)");
    expect(comparisonSummary(comparison)).toBe("3 cases compared: 0 same, 1 different, 1 only in A, 1 only in B");
  });

  it("reports an exchange only one proxy had, and a case whose outcome differs", () => {
    const base = esCase("Proxy/one", "e-1", ["1", "2"], "a");
    const extra = esCase("Proxy/one", "e-9", ["1", "2"], "z");
    const a = recording("A", [base]);
    const b = recording("B", [{ ...base, status: "failed", exchanges: [...base.exchanges, ...extra.exchanges] }]);
    const [c] = compareRecordings(a, b).cases;
    expect(c?.outcome).toBe("different");
    expect(c?.exchanges.map((e) => [e.exchange, e.a === undefined, e.b === undefined])).toEqual([[`${ES}|e-9`, true, false]]);
    const text = renderDifferences(compareRecordings(a, b));
    expect(text).toContain("  the case passed with A and failed with B\n");
    expect(text).toContain(`  exchange ${ES}|e-9 (only with B)\n`);
  });
});

describe("recording files", () => {
  const dir = mkdtempSync(join(tmpdir(), "tck-recording-"));

  it("round-trips through a file", () => {
    const r = recording("A", [esCase("Proxy/one", "e-1", ["1", "2"], "a")]);
    writeRecording(join(dir, "sub/r.json"), r);
    expect(loadRecording(join(dir, "sub/r.json"))).toEqual(r);
  });

  const bad: [string, string, string][] = [
    ["not JSON", "{", "cannot read the recording: "],
    ["another format", JSON.stringify({ format: "x", target: "t", cases: [] }), 'not a TCK recording (cloudstate-tck-recording/1): format is "x"'],
    ["cases not a list", JSON.stringify({ format: RECORDING_FORMAT, target: "t", cases: {} }), "not a TCK recording (cloudstate-tck-recording/1): cases is not a list"],
    ["a case without exchanges", JSON.stringify({ format: RECORDING_FORMAT, target: "t", cases: [{ name: "c" }] }), "not a TCK recording (cloudstate-tck-recording/1): cases[0] (c): exchanges is not a list"],
    [
      "an event without direction",
      JSON.stringify({ format: RECORDING_FORMAT, target: "t", cases: [{ name: "c", exchanges: [{ exchange: "x", events: [{ message: {} }] }] }] }),
      "not a TCK recording (cloudstate-tck-recording/1): cases[0] (c): exchanges[0].events[0] needs a direction and a message or an end",
    ],
  ];
  it.each(bad)("rejects %s, naming the file", (_name, text, message) => {
    const file = join(dir, "bad.json");
    writeFileSync(file, text);
    expect(() => loadRecording(file)).toThrow(RecordingError);
    expect(() => loadRecording(file)).toThrow(`${file}: ${message}`);
  });
});
