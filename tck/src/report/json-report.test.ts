import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_REPORT } from "../../test/sample-report.js";
import { writeJsonReport } from "./json-report.js";

describe("writeJsonReport", () => {
  it("writes the run, its summary and every case (without traces), creating directories", () => {
    const file = join(mkdtempSync(join(tmpdir(), "tck-json-")), "nested", "dir", "report.json");
    writeJsonReport(file, SAMPLE_REPORT);
    const written = JSON.parse(readFileSync(file, "utf8")) as unknown;
    expect(written).toEqual({
      mode: "sdk",
      target: "fixture-sdk 9.9.9 (protocol 0.2)",
      startedAt: "2024-05-01T10:00:00.000Z",
      durationMs: 1600,
      summary: { total: 5, passed: 1, failed: 1, skipped: 1, warnings: 0, expectedFailures: 1, unexpectedPasses: 1 },
      cases: [
        {
          name: "EventSourced/Init/starts-empty",
          area: "EventSourced",
          description: "The first command sees the initial state.",
          status: "passed",
          requirements: ["ES-10", "CMD-6"],
          durationMs: 12,
        },
        {
          name: "EventSourced/Snapshot/every-5-events",
          area: "EventSourced",
          description: "A snapshot <every> 5 events & more.",
          status: "failed",
          requirements: ["ES-20"],
          durationMs: 1503,
          failure: { step: 4, message: 'reply differs from "expected"', diff: "- snapshot: abcde\n+ snapshot: <none>" },
        },
        {
          name: "Crdt/GCounter/increment",
          area: "Crdt",
          description: "Increments add up.",
          status: "skipped",
          requirements: ["CRDT-1"],
          durationMs: 0,
          reason: "not claimed: cloudstate.tck.model.CrdtTckModel",
        },
        {
          name: "Action/Unary/forward",
          area: "Action",
          description: "A forward is passed on.",
          status: "expected-failure",
          requirements: ["ACT-3"],
          durationMs: 7,
          reason: "forwards are not implemented",
          failure: { step: 2, message: "no reply within 3000 ms" },
        },
        {
          name: "Action/Unary/reply",
          area: "Action",
          description: "A reply is returned.",
          status: "unexpected-pass",
          requirements: [],
          durationMs: 3,
          reason: "was broken in 0.1",
        },
      ],
    });
  });
});
