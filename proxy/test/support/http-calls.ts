// HTTP clients for the end-to-end tests of the proxy's HTTP port: plain JSON calls (as curl makes
// them), streamed responses read item by item (server-sent events or NDJSON), and gRPC-web calls.
// The gRPC-web decoding here is written from the protocol, independently of the proxy's own code.
// Every request carries a timeout, so no call can hang a test.

import { CALL_DEADLINE_MS } from "./grpc-calls.js";

/** An HTTP response read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

/** Makes an HTTP request to the proxy's HTTP port and reads the whole answer. */
export async function httpCall(port: number, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: AbortSignal.timeout(CALL_DEADLINE_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** One item of a streamed HTTP/JSON response. */
export type StreamItem = { readonly kind: "data"; readonly json: unknown } | { readonly kind: "event"; readonly event: string; readonly json: unknown } | { readonly kind: "closed" };

/** A streamed HTTP response read item by item: SSE events or NDJSON lines. */
export class HttpStream {
  private readonly items: StreamItem[] = [];
  private wake: (() => void) | undefined;

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly controller: AbortController,
  ) {}

  /** Opens the request; resolves once the response's head has arrived. */
  static async open(port: number, method: string, path: string, options: { body?: string; accept?: string; timeoutMs?: number } = {}): Promise<HttpStream> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: options.accept === undefined ? {} : { accept: options.accept },
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: controller.signal,
    });
    const stream = new HttpStream(response.status, response.headers, controller);
    const sse = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
    void stream.pump(response, sse).finally(() => clearTimeout(timer));
    return stream;
  }

  /** The next item; rejects after `timeoutMs`. */
  async next(timeoutMs = CALL_DEADLINE_MS): Promise<StreamItem> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no stream item within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const item = this.items[0] as StreamItem;
    if (item.kind !== "closed") this.items.shift();
    return item;
  }

  /** Every item until the stream closes. */
  async rest(timeoutMs = CALL_DEADLINE_MS): Promise<StreamItem[]> {
    const all: StreamItem[] = [];
    for (;;) {
      const item = await this.next(timeoutMs);
      if (item.kind === "closed") return all;
      all.push(item);
    }
  }

  /** Goes away, as a client closing the connection. */
  cancel(): void {
    this.controller.abort();
  }

  private push(item: StreamItem): void {
    this.items.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async pump(response: Response, sse: boolean): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    try {
      if (response.body === null) return;
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        const separator = sse ? "\n\n" : "\n";
        let at = pending.indexOf(separator);
        while (at >= 0) {
          const block = pending.slice(0, at);
          pending = pending.slice(at + separator.length);
          if (block.trim() !== "") this.push(sse ? parseEvent(block) : { kind: "data", json: JSON.parse(block) as unknown });
          at = pending.indexOf(separator);
        }
      }
      // An unterminated last item: an error answer's JSON body, for instance.
      if (pending.trim() !== "") this.push(sse ? parseEvent(pending) : { kind: "data", json: JSON.parse(pending) as unknown });
    } catch {
      // Aborted: the stream is closed for the reader.
    } finally {
      this.push({ kind: "closed" });
    }
  }
}

function parseEvent(block: string): StreamItem {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  const json = JSON.parse(data.join("\n")) as unknown;
  return event === "message" ? { kind: "data", json } : { kind: "event", event, json };
}

/** The outcome of a gRPC-web call. */
export interface GrpcWebAnswer {
  readonly httpStatus: number;
  readonly headers: Headers;
  readonly messages: Uint8Array[];
  /** From the trailer frame (or, for a trailers-only answer, the headers). */
  readonly grpcStatus: number | undefined;
  readonly grpcMessage: string;
}

/** Makes a gRPC-web call with the given request messages, binary or text, and reads the whole answer. */
export async function grpcWebCall(port: number, path: string, requests: readonly Uint8Array[], options: { text?: boolean; headers?: Record<string, string> } = {}): Promise<GrpcWebAnswer> {
  const frames = Buffer.concat(requests.map((r) => frame(0, r)));
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": options.text === true ? "application/grpc-web-text" : "application/grpc-web+proto", "x-grpc-web": "1", ...(options.headers ?? {}) },
    body: options.text === true ? frames.toString("base64") : frames,
    signal: AbortSignal.timeout(CALL_DEADLINE_MS),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  // A text body may be several base64 runs, each padded: decode run by run.
  const body = options.text === true ? Buffer.concat((raw.toString("latin1").match(/[^=]+=*/g) ?? []).map((run) => Buffer.from(run, "base64"))) : raw;
  const messages: Uint8Array[] = [];
  let trailers = "";
  for (let at = 0; at + 5 <= body.length; ) {
    const flag = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    if ((flag & 0x80) !== 0) trailers += payload.toString("latin1");
    else messages.push(new Uint8Array(payload));
    at += 5 + length;
  }
  const trailer = (name: string): string | undefined => {
    const line = trailers.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name}:`));
    return line === undefined ? (response.headers.get(name) ?? undefined) : line.slice(name.length + 1).trim();
  };
  const code = trailer("grpc-status");
  return { httpStatus: response.status, headers: response.headers, messages, grpcStatus: code === undefined ? undefined : Number(code), grpcMessage: decodeURIComponent(trailer("grpc-message") ?? "") };
}

function frame(flag: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flag, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
