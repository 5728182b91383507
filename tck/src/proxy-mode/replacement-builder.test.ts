import { describe, expect, it } from "@jest/globals";
import { eventsourced } from "@cloudstate/protocol";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { protocolMessageType, replacementBuilder } from "./replacement-builder.js";

const json = new MessageJson(payloadRegistry());
const HANDLE = "cloudstate.eventsourced.EventSourced/handle";
const out = protocolMessageType(json, HANDLE, "to-proxy");

const trigger = eventsourced.EventSourcedStreamOut.encode({
  message: {
    $case: "reply",
    value: { commandId: 7n, clientAction: { action: { $case: "reply", value: { payload: undefined, metadata: undefined } } }, sideEffects: [], events: [], snapshot: undefined },
  },
}).finish();

const failureWithEvents = {
  reply: {
    commandId: "99",
    clientAction: { failure: { commandId: "99", description: "no" } },
    events: [{ "@type": "type.googleapis.com/cloudstate.tck.model.Persisted", value: "x" }],
  },
};

describe("protocolMessageType", () => {
  it.each([
    ["to-proxy", "cloudstate.eventsourced.EventSourcedStreamOut"],
    ["to-user-function", "cloudstate.eventsourced.EventSourcedStreamIn"],
  ] as const)("reads the %s type of a protocol method", (side, typeName) => {
    expect(protocolMessageType(json, HANDLE, side).typeName).toBe(typeName);
  });

  it("rejects an unknown method", () => {
    expect(() => protocolMessageType(json, "cloudstate.eventsourced.EventSourced/nope", "to-proxy")).toThrow("no protocol method");
  });
});

describe("replacementBuilder", () => {
  it("encodes the replacement with the copied values of the triggering message", () => {
    const build = replacementBuilder(json, out, failureWithEvents, ["reply.commandId", "reply.clientAction.failure.commandId=reply.commandId"]);
    const sent = eventsourced.EventSourcedStreamOut.decode(build(trigger));
    expect(sent.message?.$case).toBe("reply");
    const reply = sent.message?.$case === "reply" ? sent.message.value : undefined;
    expect(reply?.commandId).toBe(7n);
    expect(reply?.clientAction?.action).toEqual({ $case: "failure", value: { commandId: 7n, description: "no", restart: false } });
    expect(reply?.events.map((e) => e.typeUrl)).toEqual(["type.googleapis.com/cloudstate.tck.model.Persisted"]);
  });

  it("sends the replacement as written when nothing is copied", () => {
    const sent = eventsourced.EventSourcedStreamOut.decode(replacementBuilder(json, out, failureWithEvents, [])(trigger));
    expect(sent.message?.$case === "reply" ? sent.message.value.commandId : undefined).toBe(99n);
  });

  it("removes a copied path the triggering message leaves at its default", () => {
    const build = replacementBuilder(json, out, { failure: { commandId: "5", description: "d" } }, ["failure.commandId"]);
    const sent = eventsourced.EventSourcedStreamOut.decode(build(trigger));
    expect(sent.message).toEqual({ $case: "failure", value: { commandId: 0n, description: "d", restart: false } });
  });

  it.each([
    ["an unknown field", { reply: { commandId: "1", nonsense: true } }, [], "is not a cloudstate.eventsourced.EventSourcedStreamOut"],
    ["an unknown Any type", { reply: { events: [{ "@type": "type.googleapis.com/no.Such" }] } }, [], "is not a cloudstate.eventsourced.EventSourcedStreamOut"],
    ["a copy path through no field", { reply: {} }, ["reply.commandIdd"], 'copy "reply.commandIdd"'],
    ["a copy source through no field", { reply: {} }, ["reply.commandId=reply.id"], "has no field id"],
    ["a copy with two sources", { reply: {} }, ["a=b=c"], "more than one '='"],
    ["an empty copy path segment", { reply: {} }, ["reply..commandId"], "dot-separated"],
  ])("rejects %s before any run", (_what, replacement, copy, message) => {
    expect(() => replacementBuilder(json, out, replacement, copy)).toThrow(message);
  });
});
