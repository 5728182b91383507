import type { JsonValue } from "@bufbuild/protobuf";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorMessage } from "../report/error-message.js";
import type { CaseStatus } from "../runner/results.js";
import type { Side } from "./exchange-log.js";

/** The `format` of a recording file; bumped when its shape changes incompatibly. */
export const RECORDING_FORMAT = "cloudstate-tck-recording/1";

/** The pseudo-case holding the exchanges before the first case (discovery). */
export const STARTUP_CASE = "(startup)";

/** One intercepted event: a message in the proto3 JSON mapping, or the end of a call. */
export type RecordedEvent =
  | {
      readonly direction: Side;
      readonly atMs: number;
      readonly message: JsonValue;
      /** Set when the TCK sent this message in place of the intercepted one (FAULT_REPLACE): what the receiver got. */
      readonly injected?: string;
    }
  | { readonly direction: Side; readonly atMs: number; readonly end: string; readonly details: string };

/** Every event of one exchange (`<protocol method>|<key>`), in arrival order. */
export interface RecordedExchange {
  readonly exchange: string;
  readonly events: readonly RecordedEvent[];
}

/** A case with the exchanges that first appeared while it ran (late events of them included). */
export interface RecordedCase {
  readonly name: string;
  readonly status: CaseStatus;
  readonly exchanges: readonly RecordedExchange[];
}

/**
 * What `--record` writes: for every case of a proxy-mode run, the exchanges
 * between the proxy and the user function that crossed the interceptor.
 */
export interface TraceRecording {
  readonly format: typeof RECORDING_FORMAT;
  /** The proxy, as its ProxyInfo named it. */
  readonly target: string;
  readonly recordedAt: string;
  readonly cases: readonly RecordedCase[];
}

/** A recording file that cannot be read. */
export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordingError";
  }
}

/** Writes a recording as JSON, creating its directory. */
export function writeRecording(file: string, recording: TraceRecording): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
}

/** Reads a recording written by writeRecording (or edited by hand), checking its shape. */
export function loadRecording(file: string): TraceRecording {
  const absolute = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(absolute, "utf8"));
  } catch (error) {
    throw new RecordingError(`${absolute}: cannot read the recording: ${errorMessage(error)}`);
  }
  const problem = recordingProblem(raw);
  if (problem !== undefined) throw new RecordingError(`${absolute}: not a TCK recording (${RECORDING_FORMAT}): ${problem}`);
  return raw as TraceRecording;
}

function recordingProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return "not a JSON object";
  if (raw["format"] !== RECORDING_FORMAT) return `format is ${JSON.stringify(raw["format"])}`;
  if (typeof raw["target"] !== "string") return "target is not a string";
  const cases = raw["cases"];
  if (!Array.isArray(cases)) return "cases is not a list";
  for (const [i, c] of cases.entries()) {
    if (!isObject(c) || typeof c["name"] !== "string") return `cases[${i}] has no name`;
    const exchanges = c["exchanges"];
    if (!Array.isArray(exchanges)) return `cases[${i}] (${c["name"]}): exchanges is not a list`;
    for (const [j, e] of exchanges.entries()) {
      if (!isObject(e) || typeof e["exchange"] !== "string" || !Array.isArray(e["events"])) {
        return `cases[${i}] (${c["name"]}): exchanges[${j}] needs an exchange name and a list of events`;
      }
      for (const [k, ev] of (e["events"] as unknown[]).entries()) {
        if (!isObject(ev) || (ev["direction"] !== "to-user-function" && ev["direction"] !== "to-proxy") || (!("message" in ev) && typeof ev["end"] !== "string")) {
          return `cases[${i}] (${c["name"]}): exchanges[${j}].events[${k}] needs a direction and a message or an end`;
        }
      }
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
