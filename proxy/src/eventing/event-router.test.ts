import { describe, expect, it } from "@jest/globals";
import { Any as AnyCodec, type Any } from "@cloudstate/protocol";
import { eventingEntitySpec, fromEventLog, type TestMethod } from "../../test/support/eventing-descriptors.js";
import { validateSpec } from "../discovery/spec-validation.js";
import type { MethodSpec } from "../discovery/user-spec.js";
import { cloudEventMetadata, eventLogCloudEvent, isJsonOrPrimitive, typeNameOf } from "./cloud-event.js";
import { deliveryRequest, EventRouter } from "./event-router.js";

/** The methods of a group on source "p" of a service with `methods`. */
function groupOf(methods: readonly TestMethod[]): readonly MethodSpec[] {
  const spec = validateSpec(eventingEntitySpec([{ name: "S", methods: methods.map((m) => ({ ...m, eventing: fromEventLog("p") })) }]));
  return spec.consumerGroups?.[0]?.methods ?? [];
}

const event = (typeUrl: string): Any => ({ typeUrl, value: Uint8Array.of(0x0a, 0x01, 0x78) });

describe("EventRouter", () => {
  const typed = groupOf([
    { name: "OnA", input: "t.A" },
    { name: "OnB", input: "t.B" },
  ]);
  const withAny = groupOf([
    { name: "OnA", input: "t.A" },
    { name: "OnAny", input: "google.protobuf.Any" },
  ]);

  it.each<[string, readonly MethodSpec[], string, string | undefined]>([
    ["a protobuf event to the method taking its type (EVT-11)", typed, "type.googleapis.com/t.A", "OnA"],
    ["whatever precedes the type name (ANY-3)", typed, "example.com/t.B", "OnB"],
    ["an event of another type: nowhere without an Any method (EVT-14)", typed, "type.googleapis.com/t.C", undefined],
    ["an event of another type: to the Any method (EVT-11)", withAny, "type.googleapis.com/t.C", "OnAny"],
    ["a protobuf event of a typed method: not to the Any method", withAny, "type.googleapis.com/t.A", "OnA"],
    ["a JSON event: only to the Any method (EVT-12)", withAny, "json.cloudstate.io/t.A", "OnAny"],
    ["a JSON event named like a typed method's input: nowhere without an Any method (EVT-12)", typed, "json.cloudstate.io/t.A", undefined],
    ["a primitive event: only to the Any method (EVT-12)", withAny, "p.cloudstate.io/string", "OnAny"],
    ["a primitive event: nowhere without an Any method", typed, "p.cloudstate.io/string", undefined],
  ])("routes %s", (_name, methods, typeUrl, expected) => {
    expect(new EventRouter(methods).methodFor(event(typeUrl))?.name).toBe(expected);
  });

  it("sends a typed method the event's bytes, and an Any method the event's Any itself (EVT-13)", () => {
    const [onA, onAny] = withAny;
    if (onA === undefined || onAny === undefined) throw new Error("group not built");
    const json = event("json.cloudstate.io/Thing");
    expect(deliveryRequest(onA, event("type.googleapis.com/t.A"))).toEqual(Uint8Array.of(0x0a, 0x01, 0x78));
    expect(AnyCodec.decode(deliveryRequest(onAny, json))).toEqual(json);
  });
});

describe("CloudEvent attributes", () => {
  it.each([
    ["type.googleapis.com/com.example.ItemAdded", "com.example.ItemAdded", false],
    ["json.cloudstate.io/JsonEvent", "JsonEvent", true],
    ["p.cloudstate.io/string", "string", true],
    ["/pkg.Msg", "pkg.Msg", false],
  ])("names %s %s (META-24)", (typeUrl, name, jsonOrPrimitive) => {
    expect(typeNameOf(typeUrl)).toBe(name);
    expect(isJsonOrPrimitive(typeUrl)).toBe(jsonOrPrimitive);
  });

  it("describes an event-log event and turns it into ce- metadata in binary mode (EVT-28, EVT-29, META-23..28)", () => {
    const attributes = eventLogCloudEvent("carts", {
      offset: 12n,
      entityId: "u:1",
      sequence: 7n,
      payload: event("type.googleapis.com/com.example.ItemAdded"),
      timestamp: new Date("2024-05-01T10:00:00.123Z"),
    });
    expect(attributes).toEqual({ id: "u:1:7", source: "carts", type: "com.example.ItemAdded", subject: "u:1", time: "2024-05-01T10:00:00.123Z" });
    expect(cloudEventMetadata(attributes).entries.map((e) => [e.key, e.value?.$case, e.value?.value])).toEqual([
      ["ce-specversion", "stringValue", "1.0"],
      ["ce-id", "stringValue", "u:1:7"],
      ["ce-source", "stringValue", "carts"],
      ["ce-type", "stringValue", "com.example.ItemAdded"],
      ["ce-subject", "stringValue", "u:1"],
      ["ce-time", "stringValue", "2024-05-01T10:00:00.123Z"],
    ]);
  });

  it("leaves out the attributes it does not know", () => {
    const metadata = cloudEventMetadata({ id: "x", source: "topic", type: "T", subject: undefined, time: undefined });
    expect(metadata.entries.map((e) => e.key)).toEqual(["ce-specversion", "ce-id", "ce-source", "ce-type"]);
  });
});
