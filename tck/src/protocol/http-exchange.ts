import type { JsonValue } from "@bufbuild/protobuf";

/** One item of a streamed HTTP response: an SSE event or an NDJSON line. */
export type HttpItem = { readonly kind: "item"; readonly event: string; readonly json: JsonValue } | { readonly kind: "end" };

/** The head of an HTTP response. */
export interface HttpHead {
  readonly status: number;
  readonly headers: Headers;
  /** Whether the body is a stream of items (server-sent events or NDJSON). */
  readonly streamed: boolean;
}

/** Content types of streamed HTTP/JSON responses (spec/http.md §4). */
const STREAMED = ["text/event-stream", "application/x-ndjson"];

/**
 * One HTTP request to a proxy, its response read as it arrives: the head, then either the whole
 * body or, for server-sent events and NDJSON, one item at a time. Cancelled by `abort`.
 */
export class HttpExchange {
  private head: HttpHead | Error | undefined;
  private body: string | Error | undefined;
  private readonly items: HttpItem[] = [];
  private waiter: (() => void) | undefined;
  private readonly controller = new AbortController();

  constructor(url: string, init: { method: string; headers: Record<string, string>; body?: string }) {
    void this.run(url, init);
  }

  /** The response's head; rejects when the request failed or nothing came within `timeoutMs`. */
  async response(timeoutMs: number): Promise<HttpHead> {
    const head = await this.until(() => this.head, timeoutMs, "the response");
    if (head instanceof Error) throw head;
    return head;
  }

  /** The whole body as text, once the response has ended. */
  async text(timeoutMs: number): Promise<string> {
    const body = await this.until(() => this.body, timeoutMs, "the end of the response body");
    if (body instanceof Error) throw body;
    return body;
  }

  /** The next item of a streamed body, or its end. */
  async next(timeoutMs: number): Promise<HttpItem> {
    const item = await this.until(() => this.items[0], timeoutMs, "the next item of the response");
    if (item.kind === "item") this.items.shift();
    return item;
  }

  abort(): void {
    this.controller.abort();
  }

  private async until<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let value = get(); ; value = get()) {
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private changed(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async run(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: this.controller.signal });
    } catch (error) {
      this.head = new Error(`the HTTP request failed: ${error instanceof Error ? error.message : String(error)}`);
      this.changed();
      return;
    }
    const contentType = response.headers.get("content-type") ?? "";
    const streamed = STREAMED.some((t) => contentType.startsWith(t));
    const sse = contentType.startsWith("text/event-stream");
    this.head = { status: response.status, headers: response.headers, streamed };
    this.changed();
    const decoder = new TextDecoder();
    let all = "";
    let pending = "";
    try {
      if (response.body !== null) {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          all += text;
          if (!streamed) continue;
          pending += text;
          const separator = sse ? "\n\n" : "\n";
          for (let at = pending.indexOf(separator); at >= 0; at = pending.indexOf(separator)) {
            const block = pending.slice(0, at);
            pending = pending.slice(at + separator.length);
            if (block.trim() !== "") this.items.push(sse ? sseItem(block) : { kind: "item", event: "", json: JSON.parse(block) as JsonValue });
            this.changed();
          }
        }
      }
      this.body = all + decoder.decode();
    } catch (error) {
      this.body = new Error(`reading the response failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.items.push({ kind: "end" });
    this.changed();
  }
}

function sseItem(block: string): HttpItem {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return { kind: "item", event, json: JSON.parse(data.join("\n")) as JsonValue };
}
