import type { JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { AFTER_CANCEL, normalizeExchange } from "./trace-normalizer.js";
import type { RecordedEvent } from "./trace-recording.js";

const ES = "cloudstate.eventsourced.EventSourced/handle|e-1";
const toUf = (message: JsonValue, atMs = 0): RecordedEvent => ({ direction: "to-user-function", atMs, message });
const toProxy = (message: JsonValue, atMs = 0): RecordedEvent => ({ direction: "to-proxy", atMs, message });
const end = (direction: RecordedEvent["direction"], code: string, details = ""): RecordedEvent => ({ direction, atMs: 0, end: code, details });

describe("normalizeExchange", () => {
  it("renumbers command ids per call in order of appearance, in commands, replies, failures and cancellations", () => {
    const streams = normalizeExchange({
      exchange: ES,
      events: [
        toUf({ init: { entityId: "e-1" } }),
        toUf({ command: { id: "7", name: "A" } }),
        toProxy({ reply: { commandId: "7" } }),
        toUf({ command: { id: "9", name: "B" } }),
        toProxy({ failure: { commandId: "9", description: "no" } }),
        toProxy({ failure: { commandId: "0", description: "entity failed" } }),
        toUf({ streamCancelled: { id: "9" } }),
        end("to-proxy", "OK"),
        // A second call: numbering starts again.
        toUf({ command: { id: "10" } }),
        toProxy({ reply: { commandId: "10" } }),
      ],
    });
    expect(streams).toEqual([
      {
        toUserFunction: [{ init: { entityId: "e-1" } }, { command: { id: "#1", name: "A" } }, { command: { id: "#2", name: "B" } }, { streamCancelled: { id: "#2" } }],
        toProxy: [{ reply: { commandId: "#1" } }, { failure: { commandId: "#2", description: "no" } }, { failure: { commandId: "0", description: "entity failed" } }, { end: "OK", details: "" }],
      },
      { toUserFunction: [{ command: { id: "#1" } }], toProxy: [{ reply: { commandId: "#1" } }] },
    ]);
  });

  it("numbers ids by the proxy's commands first, whatever the interleaving", () => {
    const interleavings = [
      [toUf({ command: { id: "1" } }), toUf({ command: { id: "2" } }), toProxy({ reply: { commandId: "2" } }), toProxy({ reply: { commandId: "1" } })],
      [toUf({ command: { id: "5" } }), toProxy({ reply: { commandId: "6" } }), toUf({ command: { id: "6" } }), toProxy({ reply: { commandId: "5" } })],
    ];
    const [a, b] = interleavings.map((events) => normalizeExchange({ exchange: ES, events }));
    expect(a).toEqual(b);
    expect(a?.[0]?.toProxy).toEqual([{ reply: { commandId: "#2" } }, { reply: { commandId: "#1" } }]);
  });

  it("drops transport metadata, leaving out metadata that ends up empty, and keeps the rest", () => {
    const [stream] = normalizeExchange({
      exchange: ES,
      events: [
        toUf({ command: { id: "1", metadata: { entries: [{ key: "User-Agent", stringValue: "grpc-node-js/1.14.7" }, { key: "x-custom", stringValue: "v" }] } } }),
        toUf({ command: { id: "2", metadata: { entries: [{ key: "user-agent", stringValue: "grpc-java/1.0" }, { key: "ce-time", stringValue: "x" }] } } }),
      ],
    });
    expect(stream?.toUserFunction).toEqual([{ command: { id: "#1", metadata: { entries: [{ key: "x-custom", stringValue: "v" }] } } }, { command: { id: "#2" } }]);
  });

  it("removes timestamps, durations and arrival times", () => {
    const [a] = normalizeExchange({ exchange: ES, events: [toUf({ at: "2026-01-02T03:04:05.678Z", took: "1.5s", name: "keep" }, 10)] });
    const [b] = normalizeExchange({ exchange: ES, events: [toUf({ at: "2027-12-31T23:59:59+01:00", took: "20s", name: "keep" }, 99)] });
    expect(a).toEqual(b);
    expect(a?.toUserFunction).toEqual([{ at: "<timestamp>", took: "<duration>", name: "keep" }]);
  });

  it("leaves the proxy's name and version out of discovery, but not other exchanges", () => {
    const info = { proxyName: "p", proxyVersion: "1", protocolMajorVersion: 0 };
    expect(normalizeExchange({ exchange: "cloudstate.EntityDiscovery/discover|", events: [toUf(info)] })[0]?.toUserFunction).toEqual([{ protocolMajorVersion: 0 }]);
    expect(normalizeExchange({ exchange: ES, events: [toUf(info)] })[0]?.toUserFunction).toEqual([info]);
  });

  it("reduces the final status of a call the proxy cancelled, which races with the cancel", () => {
    const cancelled = (code: string) =>
      normalizeExchange({ exchange: ES, events: [toUf({ init: {} }), end("to-user-function", "CANCELLED", "cancelled by the proxy"), end("to-proxy", code, code)] });
    expect(cancelled("OK")).toEqual(cancelled("CANCELLED"));
    expect(cancelled("OK")[0]?.toProxy).toEqual([{ end: AFTER_CANCEL }]);
    // Another status is the user function's own doing: kept.
    expect(cancelled("INTERNAL")[0]?.toProxy).toEqual([{ end: "INTERNAL", details: "INTERNAL" }]);
    // Without a cancel, OK stays OK.
    expect(normalizeExchange({ exchange: ES, events: [end("to-proxy", "OK", "done")] })[0]?.toProxy).toEqual([{ end: "OK", details: "done" }]);
  });

  it("leaves out the transport's wording of a broken or cancelled call, keeping other statuses' details", () => {
    const ended = (code: string, details: string) => normalizeExchange({ exchange: ES, events: [end("to-proxy", code, details)] })[0]?.toProxy;
    expect(ended("UNAVAILABLE", "Connection dropped")).toEqual(ended("UNAVAILABLE", "read ECONNRESET"));
    expect(ended("UNAVAILABLE", "x")).toEqual([{ end: "UNAVAILABLE" }]);
    expect(ended("CANCELLED", "x")).toEqual([{ end: "CANCELLED" }]);
    expect(ended("UNKNOWN", "boom")).toEqual([{ end: "UNKNOWN", details: "boom" }]);
  });

  it("keeps a late end after a call's final status with that call", () => {
    const streams = normalizeExchange({ exchange: ES, events: [toUf({ init: {} }), end("to-proxy", "OK"), end("to-user-function", "OK", "half-closed")] });
    expect(streams).toHaveLength(1);
    expect(streams[0]?.toUserFunction).toEqual([{ init: {} }, { end: "OK", details: "half-closed" }]);
  });
});
