import { describe, expect, it } from "@jest/globals";
import { SAMPLE_CASES, SAMPLE_REPORT } from "../../test/sample-report.js";
import { StringSink } from "../../test/string-sink.js";
import { ConsoleReporter, summaryLine } from "./console-reporter.js";

describe("ConsoleReporter", () => {
  it("prints a heading, one line per case (with its trace), the failures, the output tail and a summary", () => {
    const out = new StringSink();
    const reporter = new ConsoleReporter(out);
    reporter.runStarted("sdk", SAMPLE_REPORT.target);
    for (const c of SAMPLE_CASES) reporter.caseFinished(c);
    reporter.runFinished(SAMPLE_REPORT, "fixture: listening\nfixture: crashed");
    expect(out.text).toBe(
      [
        "Cloudstate TCK (sdk mode) against fixture-sdk 9.9.9 (protocol 0.2)",
        "  ok    EventSourced/Init/starts-empty (12 ms)",
        "  FAIL  EventSourced/Snapshot/every-5-events (1503 ms)",
        "        -> init",
        "        <- reply",
        "  skip  Crdt/GCounter/increment (not claimed: cloudstate.tck.model.CrdtTckModel)",
        "  xfail Action/Unary/forward (7 ms) known failure: forwards are not implemented",
        "  XPASS Action/Unary/reply (3 ms) listed as a known failure but passed",
        "",
        "FAILED: EventSourced/Snapshot/every-5-events",
        '  step 4: reply differs from "expected"',
        "    - snapshot: abcde",
        "    + snapshot: <none>",
        "",
        "FAILED: Action/Unary/reply",
        "  listed as a known failure but passed (listed because: was broken in 0.1)",
        "  remove it from the known-failures file",
        "",
        "user function output (last 2 lines):",
        "  | fixture: listening",
        "  | fixture: crashed",
        "",
        "1 passed, 1 failed, 1 skipped, 1 expected failure, 1 unexpected pass",
        "",
      ].join("\n"),
    );
  });

  it("prints neither failures nor output when every case passed", () => {
    const out = new StringSink();
    const passed = SAMPLE_CASES.filter((c) => c.status === "passed" || c.status === "skipped");
    new ConsoleReporter(out).runFinished({ ...SAMPLE_REPORT, cases: passed, summary: { ...SAMPLE_REPORT.summary, failed: 0 } }, "some output");
    expect(out.text).not.toContain("FAILED");
    expect(out.text).not.toContain("some output");
  });

  it("says when a case failed before its first step, and when the user function printed nothing", () => {
    const out = new StringSink();
    const failed = { ...SAMPLE_CASES[1]!, failure: { step: 0, message: "could not open the stream" } };
    new ConsoleReporter(out).runFinished({ ...SAMPLE_REPORT, cases: [failed] }, "");
    expect(out.text).toContain("FAILED: EventSourced/Snapshot/every-5-events\n  before the first step: could not open the stream\n");
    expect(out.text).toContain("user function output: (nothing)");
  });
});

describe("ConsoleReporter in proxy mode", () => {
  it("prints the output of each proxy run it is given, under the proxy's name", () => {
    const out = new StringSink();
    new ConsoleReporter(out).runFinished({ ...SAMPLE_REPORT, mode: "proxy" }, [
      { what: "proxy", text: "p: up" },
      { what: "proxy (passivate)", text: "" },
    ]);
    expect(out.text).toContain("\nproxy output (last 1 line):\n  | p: up\n\nproxy (passivate) output: (nothing)\n\n1 passed, 1 failed");
    expect(out.text).not.toContain("user function output");
  });
});

describe("summaryLine", () => {
  it("leaves out zero known-failure counts and pluralizes the others", () => {
    const zero = { total: 3, passed: 3, failed: 0, skipped: 0, warnings: 0, expectedFailures: 0, unexpectedPasses: 0 };
    expect(summaryLine(zero)).toBe("3 passed, 0 failed, 0 skipped");
    expect(summaryLine({ ...zero, expectedFailures: 2, unexpectedPasses: 3 })).toBe("3 passed, 0 failed, 0 skipped, 2 expected failures, 3 unexpected passes");
    expect(summaryLine({ ...zero, warnings: 1 })).toBe("3 passed, 0 failed, 0 skipped, 1 warning");
  });
});
