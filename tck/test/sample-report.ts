// A run with one case of each status, shared by the report tests.
import { type CaseResult, type RunReport, summarize } from "../src/runner/results.js";

export const SAMPLE_CASES: readonly CaseResult[] = [
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
    trace: ["-> init", "<- reply"],
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
];

export const SAMPLE_REPORT: RunReport = {
  mode: "sdk",
  target: "fixture-sdk 9.9.9 (protocol 0.2)",
  startedAt: "2024-05-01T10:00:00.000Z",
  durationMs: 1600,
  summary: summarize(SAMPLE_CASES),
  cases: SAMPLE_CASES,
};
