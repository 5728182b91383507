import type { JsonValue } from "@bufbuild/protobuf";
import type { RecordedEvent, RecordedExchange } from "./trace-recording.js";

/**
 * One call of an exchange after normalisation: each direction's events in
 * order. The interleaving of the two directions is not kept: it depends on
 * timing, not on what the proxy does.
 */
export interface NormalizedStream {
  readonly toUserFunction: readonly JsonValue[];
  readonly toProxy: readonly JsonValue[];
}

/**
 * Metadata entries dropped before comparing: set by the transport or the
 * client library, or unique per call, so they differ between proxies (and
 * runs) without saying anything about the protocol.
 */
export const DROPPED_METADATA: ReadonlySet<string> = new Set([
  "user-agent",
  "grpc-accept-encoding",
  "grpc-encoding",
  "grpc-timeout",
  "accept-encoding",
  "content-type",
  "te",
  "host",
  ":authority",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-request-id",
  "traceparent",
  "tracestate",
  "ce-id",
  "ce-time",
]);

const DISCOVER = "cloudstate.EntityDiscovery/discover|";
/** ProxyInfo fields that name the proxy: two proxies differ there by definition. */
const PROXY_IDENTITY = ["proxyName", "proxyVersion"];
/** A call's final status after the proxy cancelled it: OK or CANCELLED, whichever won the race. */
export const AFTER_CANCEL = "OK or CANCELLED (the proxy cancelled the call)";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

/**
 * An exchange as the differential mode compares it: split into calls (a call
 * ends when the call's final status reaches the proxy), with command ids
 * renumbered per call in order of appearance (`#1`, `#2`, ...), timestamps,
 * durations and arrival times removed, transport metadata dropped, the
 * proxy's own name and version left out of discovery, the final status of a
 * call the proxy cancelled reduced to "OK or CANCELLED" (a race), and the
 * transport's wording of UNAVAILABLE and CANCELLED left out.
 */
export function normalizeExchange(exchange: RecordedExchange): NormalizedStream[] {
  const streams: RecordedEvent[][] = [];
  let current: RecordedEvent[] | undefined;
  for (const event of exchange.events) {
    // An end arriving after its call's final status (a late cancel) still belongs to that call.
    if (current === undefined && "end" in event && streams.length > 0) {
      streams[streams.length - 1]?.push(event);
      continue;
    }
    current ??= [];
    current.push(event);
    if ("end" in event && event.direction === "to-proxy") {
      streams.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) streams.push(current);
  const discover = exchange.exchange.startsWith(DISCOVER);
  return streams.map((events) => normalizeStream(events, discover));
}

function normalizeStream(events: readonly RecordedEvent[], discover: boolean): NormalizedStream {
  const ids = new CommandIds();
  const toUserFunction = events.filter((e) => e.direction === "to-user-function");
  const toProxy = events.filter((e) => e.direction === "to-proxy");
  // When the proxy cancelled the call, whether the user function's own end got in first is a race.
  const cancelled = toUserFunction.some((e) => "end" in e && e.end === "CANCELLED");
  // Ids are assigned by the proxy in its commands, so those are numbered first.
  const normalize = (e: RecordedEvent): JsonValue => {
    if ("end" in e) {
      if (cancelled && e.direction === "to-proxy" && (e.end === "OK" || e.end === "CANCELLED")) return { end: AFTER_CANCEL };
      // Their details are the transport's words ("Connection dropped", "read ECONNRESET"), not the proxy's doing.
      if (e.end === "UNAVAILABLE" || e.end === "CANCELLED") return { end: e.end };
      return { end: e.end, details: e.details };
    }
    const message = scrub(e.message, ids);
    return discover && e.direction === "to-user-function" ? withoutKeys(message, PROXY_IDENTITY) : message;
  };
  return { toUserFunction: toUserFunction.map(normalize), toProxy: toProxy.map(normalize) };
}

/** Command ids in order of appearance on one call. */
class CommandIds {
  private readonly ids = new Map<string, string>();

  renumber(id: JsonValue): JsonValue {
    // 0 (absent in JSON) is "no command": an entity-wide failure.
    if (id === "0" || id === 0 || id === null) return id;
    const key = JSON.stringify(id);
    let mapped = this.ids.get(key);
    if (mapped === undefined) {
      mapped = `#${this.ids.size + 1}`;
      this.ids.set(key, mapped);
    }
    return mapped;
  }
}

function scrub(value: JsonValue, ids: CommandIds, key?: string): JsonValue {
  if (typeof value === "string") {
    if (TIMESTAMP.test(value)) return "<timestamp>";
    if (DURATION.test(value)) return "<duration>";
    return value;
  }
  if (Array.isArray(value)) {
    // Metadata is `{ entries: [{ key, stringValue | bytesValue }] }` (cloudstate.Metadata).
    const kept = key === "entries" ? value.filter((item) => !isDroppedMetadataEntry(item)) : value;
    return kept.map((item) => scrub(item, ids));
  }
  if (value === null || typeof value !== "object") return value;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(value)) {
    let next: JsonValue;
    if (k === "commandId" || (k === "id" && (key === "command" || key === "streamCancelled"))) next = ids.renumber(v);
    else next = scrub(v, ids, k);
    // Dropping entries can empty a list or a message that was not empty: leave it out, as proto3 JSON does.
    if (isEmpty(next) && !isEmpty(v)) continue;
    out[k] = next;
  }
  return out;
}

function isDroppedMetadataEntry(item: JsonValue): boolean {
  return typeof item === "object" && item !== null && !Array.isArray(item) && typeof item["key"] === "string" && DROPPED_METADATA.has(item["key"].toLowerCase());
}

function isEmpty(value: JsonValue): boolean {
  return (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
}

function withoutKeys(value: JsonValue, keys: readonly string[]): JsonValue {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
