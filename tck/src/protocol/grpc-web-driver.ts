import { status } from "@grpc/grpc-js";
import type { CallEnd, CallEvent, CallKind } from "./call-driver.js";
import { CallEndedError, UnexpectedMessageError } from "./call-driver.js";

/**
 * Drives one call over gRPC-web (binary or text) on a proxy's HTTP port, with the interface of
 * CallDriver. gRPC-web requests are whole HTTP bodies: a unary or server-streamed call is sent at
 * its one `send`, a call with a request stream when it is half-closed. The response's frames are
 * read as they arrive; the trailer frame ends the call.
 */
export class GrpcWebDriver {
  private readonly events: CallEvent[] = [];
  private readonly requests: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private started = false;
  private ended = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly baseUrl: string,
    private readonly path: string,
    readonly kind: CallKind,
    private readonly metadata: Readonly<Record<string, string>>,
    private readonly text: boolean,
  ) {}

  send(bytes: Uint8Array): void {
    if (this.started) throw new Error(`${this.path} over gRPC-web: the request was already sent`);
    this.requests.push(Buffer.from(bytes));
    if (this.kind === "unary" || this.kind === "server_streaming") this.start();
  }

  halfClose(): void {
    if (!this.started) this.start();
  }

  cancel(): void {
    if (this.ended) return;
    this.controller.abort();
    this.push({ kind: "end", end: { code: status.CANCELLED, details: "cancelled by the client" } });
  }

  /** The next received message; rejects with the call's end if it ends first. */
  async next(timeoutMs: number): Promise<Uint8Array> {
    const event = await this.take(timeoutMs, "a message");
    if (event.kind === "end") throw new CallEndedError(event.end);
    return event.bytes;
  }

  /** Waits for the end of the call; fails if a message arrives first. */
  async end(timeoutMs: number): Promise<CallEnd> {
    const event = await this.take(timeoutMs, "the end of the call");
    if (event.kind === "message") throw new UnexpectedMessageError(event.bytes);
    return event.end;
  }

  /** Listens for `ms`; returns what arrived, if anything, without consuming an end. */
  async silence(ms: number): Promise<CallEvent | undefined> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const first = this.events[0];
    if (first?.kind === "message") this.events.shift();
    return first;
  }

  private async take(timeoutMs: number, what: string): Promise<CallEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${this.path} (gRPC-web)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const event = this.events[0] as CallEvent;
    if (event.kind === "message") this.events.shift();
    return event;
  }

  private push(event: CallEvent): void {
    if (this.ended) return;
    if (event.kind === "end") this.ended = true;
    this.events.push(event);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private start(): void {
    this.started = true;
    void this.exchange().catch((error: unknown) => {
      if (!this.controller.signal.aborted) this.push({ kind: "end", end: { code: status.UNAVAILABLE, details: `gRPC-web request failed: ${error instanceof Error ? error.message : String(error)}` } });
    });
  }

  private async exchange(): Promise<void> {
    const body = Buffer.concat(this.requests.map((r) => frame(r)));
    const response = await fetch(`${this.baseUrl}${this.path}`, {
      method: "POST",
      headers: {
        ...this.metadata,
        "content-type": this.text ? "application/grpc-web-text" : "application/grpc-web+proto",
        accept: this.text ? "application/grpc-web-text" : "application/grpc-web",
        "x-grpc-web": "1",
      },
      body: this.text ? body.toString("base64") : body,
      signal: this.controller.signal,
    });
    if (response.status !== 200) {
      await response.arrayBuffer();
      this.push({ kind: "end", end: { code: codeOfHttpStatus(response.status), details: `HTTP status ${response.status}` } });
      return;
    }
    let bytes: Buffer = Buffer.alloc(0);
    let text = "";
    if (response.body !== null) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        if (this.text) {
          text += Buffer.from(chunk).toString("latin1");
          const whole = text.length - (text.length % 4);
          bytes = Buffer.concat([bytes, decodeBase64Runs(text.slice(0, whole))]);
          text = text.slice(whole);
        } else bytes = Buffer.concat([bytes, Buffer.from(chunk)]);
        bytes = this.readFrames(bytes);
      }
    }
    // A trailers-only answer carries its status in the headers.
    const code = response.headers.get("grpc-status");
    if (code !== null) this.push({ kind: "end", end: { code: statusOf(code), details: percentDecode(response.headers.get("grpc-message") ?? "") } });
    this.push({ kind: "end", end: { code: status.INTERNAL, details: "the gRPC-web response ended without trailers" } });
  }

  /** Handles the complete frames at the start of `bytes`; returns the rest. */
  private readFrames(bytes: Buffer): Buffer {
    let rest = bytes;
    while (rest.length >= 5) {
      const length = rest.readUInt32BE(1);
      if (rest.length < 5 + length) break;
      const flag = rest.readUInt8(0);
      const payload = rest.subarray(5, 5 + length);
      if ((flag & 0x80) !== 0) this.push({ kind: "end", end: trailers(payload.toString("latin1")) });
      else this.push({ kind: "message", bytes: new Uint8Array(payload) });
      rest = rest.subarray(5 + length);
    }
    return rest;
  }
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Base64 text of whole 4-character groups, made of runs that may each end with padding. */
function decodeBase64Runs(text: string): Buffer {
  return Buffer.concat((text.match(/[^=]+=*|=+/g) ?? []).map((run) => Buffer.from(run, "base64")));
}

function trailers(text: string): CallEnd {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const code = fields.get("grpc-status");
  return { code: code === undefined ? status.UNKNOWN : statusOf(code), details: percentDecode(fields.get("grpc-message") ?? "") };
}

/** A grpc-status value as a status; UNKNOWN when it is no status code. */
function statusOf(text: string): status {
  const name = status[Number(text)] as keyof typeof status | undefined;
  return name === undefined || !/^\d+$/.test(text) ? status.UNKNOWN : status[name];
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The gRPC status of a failed HTTP exchange, as gRPC maps HTTP statuses. */
function codeOfHttpStatus(httpStatus: number): status {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}
