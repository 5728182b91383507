import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { errorMessage } from "../report/error-message.js";
import type { CaseResult, CaseStatus } from "../runner/results.js";
import type { ExchangeLog, Intercepted } from "./exchange-log.js";
import { RECORDING_FORMAT, type RecordedEvent, type RecordedExchange, STARTUP_CASE, type TraceRecording } from "./trace-recording.js";

/**
 * Builds a recording from the interceptor's log. Each exchange belongs to the
 * case during which it first appeared (cases use their own entity ids), and
 * brings all its events, even those that arrive after that case ended (a late
 * passivation, say); exchanges already there when recording starts belong to
 * the startup pseudo-case.
 */
export class ExchangeRecorder {
  private readonly owners = new Map<string, number>();
  private readonly cases: { name: string; status: CaseStatus }[] = [{ name: STARTUP_CASE, status: "passed" }];
  private readonly startedAt = Date.now();
  private readonly json = new MessageJson(payloadRegistry());

  constructor(private readonly log: ExchangeLog) {
    this.claim(0);
  }

  /** Gives the exchanges that appeared since the last case to this one. */
  caseFinished(result: CaseResult): void {
    this.cases.push({ name: result.name, status: result.status });
    this.claim(this.cases.length - 1);
  }

  /** Everything recorded so far. */
  recording(target: string): TraceRecording {
    const exchanges = this.cases.map((): RecordedExchange[] => []);
    for (const [exchange, owner] of this.owners) {
      exchanges[owner]?.push({ exchange, events: this.log.all(exchange).map((e) => this.event(e)) });
    }
    return {
      format: RECORDING_FORMAT,
      target,
      recordedAt: new Date(this.startedAt).toISOString(),
      cases: this.cases.map((c, i) => ({ ...c, exchanges: exchanges[i] ?? [] })),
    };
  }

  private claim(owner: number): void {
    for (const exchange of this.log.exchanges()) if (!this.owners.has(exchange)) this.owners.set(exchange, owner);
  }

  private event(e: Intercepted): RecordedEvent {
    const atMs = Math.max(0, e.at - this.startedAt);
    if (e.kind === "end") return { direction: e.direction, atMs, end: status[e.code], details: e.details };
    const message = this.decode(e.method, e.direction === "to-user-function" ? "input" : "output", e.bytes);
    return { direction: e.direction, atMs, message, ...(e.injected === undefined ? {} : { injected: e.injected }) };
  }

  /** The message in the proto3 JSON mapping; bytes the protocol type cannot read are kept as hex. */
  private decode(method: string, side: "input" | "output", bytes: Uint8Array): JsonValue {
    let desc: DescMessage | undefined;
    try {
      desc = this.json.method(method)?.[side];
      if (desc !== undefined) return this.json.decode(desc, bytes);
    } catch (error) {
      return { undecodable: Buffer.from(bytes).toString("hex"), error: errorMessage(error) };
    }
    return { undecodable: Buffer.from(bytes).toString("hex"), error: `no protocol method ${method}` };
  }
}
