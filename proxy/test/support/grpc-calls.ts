// Promise wrappers over grpc-js calls for the end-to-end tests. Every call carries a deadline, so
// no call can hang a test: at worst it ends with DEADLINE_EXCEEDED.

import { type CallOptions, Client, type ClientReadableStream, type ClientUnaryCall, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";

/** The default deadline of a test call: generous, but far below jest's test timeout. */
export const CALL_DEADLINE_MS = 5000;

/** How a call ended: its response, or its status. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: status; readonly details: string };

/** A generated grpc-js unary method, in its (request, metadata, options, callback) form. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** Makes a unary call and resolves with its outcome (never rejects). */
export function unaryOutcome<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<Res>> {
  return new Promise((resolve) => {
    method(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, value: response });
    });
  });
}

/** Makes a unary call; rejects with a message naming the status when it fails. */
export async function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs = CALL_DEADLINE_MS): Promise<Res> {
  const outcome = await unaryOutcome(method, request, deadlineMs);
  if (!outcome.ok) throw new Error(`call failed: ${status[outcome.code]} ${outcome.details}`);
  return outcome.value;
}

/** The status name of an outcome (`OK` when it succeeded), for readable assertions. */
export function statusOf(outcome: Outcome<unknown>): string {
  return outcome.ok ? "OK" : status[outcome.code];
}

/** Reads a response stream: its messages as they come, and how it ended. */
export class StreamReader<T> {
  readonly messages: T[] = [];
  /** Resolves with the stream's final status (OK or the error). */
  readonly ended: Promise<{ readonly code: status; readonly details: string }>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly stream: ClientReadableStream<T>) {
    stream.on("data", (message: T) => {
      this.messages.push(message);
      for (const wake of this.waiters) wake();
    });
    this.ended = new Promise((resolve) => {
      stream.on("error", (error: ServiceError) => resolve({ code: error.code, details: error.details }));
      stream.on("status", (s: { code: status; details: string }) => {
        if (s.code === status.OK) resolve({ code: s.code, details: s.details });
      });
    });
    void this.ended.then(() => {
      for (const wake of this.waiters) wake();
    });
  }

  /** Waits until at least `count` messages arrived; rejects after `timeoutMs` or if the stream ends first. */
  async waitForMessages(count: number, timeoutMs = CALL_DEADLINE_MS): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    const stream = { ended: false };
    void this.ended.then(() => (stream.ended = true));
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (stream.ended) throw new Error(`the stream ended after ${this.messages.length} of ${count} messages`);
      if (left <= 0) throw new Error(`timed out waiting for ${count} messages, got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
    return this.messages.slice(0, count);
  }
}

const passthrough = (b: Buffer): Buffer => b;

/** A unary call with raw request bytes, for requests no generated client would send. */
export function rawUnaryOutcome(address: string, path: string, request: Uint8Array, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<Buffer>> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<Outcome<Buffer>>((resolve) => {
    client.makeUnaryRequest(path, passthrough, passthrough, Buffer.from(request), new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, value: response ?? Buffer.alloc(0) });
    });
  }).finally(() => client.close());
}

/** A client-streamed call with raw request messages. */
export function rawClientStreamOutcome(address: string, path: string, requests: readonly Uint8Array[], deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<Buffer>> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<Outcome<Buffer>>((resolve) => {
    const call = client.makeClientStreamRequest(path, passthrough, passthrough, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, value: response ?? Buffer.alloc(0) });
    });
    for (const request of requests) call.write(Buffer.from(request));
    call.end();
  }).finally(() => client.close());
}
