// The HTTP steps of proxy-mode cases (spec/http.md): requests to the proxy's HTTP/JSON port
// and checks of their responses, whole or item by item.

import type { JsonValue } from "@bufbuild/protobuf";
import type { tckCases } from "@cloudstate/protocol";
import { HttpExchange } from "../protocol/http-exchange.js";
import { compareJson, renderDiff } from "./matcher.js";
import { StepFailure } from "./step-failure.js";

/** Sends an http_request step's request to the proxy's HTTP port at `address` (host:port). */
export function sendHttpRequest(r: tckCases.HttpRequest, address: string | undefined, trace: string[]): HttpExchange {
  if (address === undefined) throw new StepFailure("http_request needs the proxy's HTTP/JSON address: this run has none (proxy mode only; see proxy.httpAddress)");
  trace.push(`→ ${r.call} ${r.method} ${r.path}${r.body === "" ? "" : ` ${r.body}`}`);
  return new HttpExchange(`http://${address}${r.path}`, { method: r.method || "GET", headers: r.headers, ...(r.body === "" ? {} : { body: r.body }) });
}

/** Checks an expect_http step: status, headers and, unless the response is streamed, the JSON body. */
export async function expectHttp(e: tckCases.ExpectHttp, exchange: HttpExchange, timeoutMs: number, trace: string[]): Promise<void> {
  const head = await exchange.response(e.timeoutMs || timeoutMs);
  trace.push(`← ${e.call} HTTP ${head.status} ${head.headers.get("content-type") ?? ""}`);
  const expected = e.json as JsonValue | undefined;
  let body: JsonValue | undefined;
  if (expected !== undefined) {
    if (head.streamed) throw new StepFailure(`the response to ${e.call} is streamed (${head.headers.get("content-type") ?? ""}): read its items with expect_http_event`);
    const text = await exchange.text(e.timeoutMs || timeoutMs);
    trace.push(`← ${e.call} ${text}`);
    try {
      body = JSON.parse(text) as JsonValue;
    } catch {
      throw new StepFailure(`the response to ${e.call} is not JSON: ${text.slice(0, 200)}`);
    }
  }
  if (e.status !== 0 && head.status !== e.status) {
    throw new StepFailure(`expected HTTP status ${e.status} for ${e.call}, got ${head.status}${body === undefined ? "" : `: ${JSON.stringify(body)}`}`);
  }
  for (const [name, value] of Object.entries(e.headers)) {
    const actual = head.headers.get(name);
    if (actual === null) throw new StepFailure(`the response to ${e.call} has no header ${name}`);
    if (value !== "" && actual !== value) throw new StepFailure(`header ${name} of the response to ${e.call} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
  }
  if (expected !== undefined && body !== undefined) {
    const differences = compareJson(expected, body, { ignore: e.ignore });
    if (differences.length > 0) throw new StepFailure(`the JSON body of ${e.call} differs from the expected`, renderDiff(expected, body, differences));
  }
}

/** Checks an expect_http_event step: the next item of a streamed response, or its end. */
export async function expectHttpEvent(e: tckCases.ExpectHttpEvent, exchange: HttpExchange, timeoutMs: number, trace: string[]): Promise<void> {
  const head = await exchange.response(e.timeoutMs || timeoutMs);
  if (!head.streamed) throw new StepFailure(`the response to ${e.call} is not streamed (HTTP ${head.status}, ${head.headers.get("content-type") ?? "no content type"})`);
  const item = await exchange.next(e.timeoutMs || timeoutMs);
  trace.push(item.kind === "end" ? `← ${e.call} end` : `← ${e.call} ${item.event === "" ? "" : `${item.event} `}${JSON.stringify(item.json)}`);
  if (e.end) {
    if (item.kind !== "end") throw new StepFailure(`expected the response to ${e.call} to end, got ${JSON.stringify(item.json)}`);
    return;
  }
  if (item.kind === "end") throw new StepFailure(`expected an item of the response to ${e.call}, it ended`);
  // NDJSON items have no event type.
  const event = e.event || "message";
  if (item.event !== "" && item.event !== event) throw new StepFailure(`expected a ${event} event on ${e.call}, got a ${item.event} event: ${JSON.stringify(item.json)}`);
  if (item.event === "" && e.event !== "") throw new StepFailure(`expected a ${e.event} event on ${e.call}, but the response is NDJSON`);
  const expected = e.json as JsonValue | undefined;
  if (expected === undefined) return;
  const differences = compareJson(expected, item.json, { ignore: e.ignore });
  if (differences.length > 0) throw new StepFailure(`the item of ${e.call} differs from the expected`, renderDiff(expected, item.json, differences));
}
