import { describe, expect, it } from "@jest/globals";
import { Any, tckModelAction } from "@cloudstate/protocol";
import { toClientAction } from "../effects/client-action.js";
import { replyOutcome } from "../effects/outcome.js";
import { AnySupport } from "./any-support.js";
import { jsonCodec } from "./json-codec.js";
import { messageCodec } from "./message-codec.js";
import { decodeMethodPayload, isAnyType, PayloadDecodeError } from "./method-payload.js";

const { Request } = tckModelAction;
const REQUEST = "cloudstate.tck.model.action.Request";
const requestBytes = Request.encode({ groups: [{ steps: [{ step: { $case: "reply", value: { message: "m" } } }] }] }).finish();
const json = jsonCodec<{ message: string }>("JsonEvent");

describe("decodeMethodPayload (spec/payloads.md)", () => {
  it.each([
    ["type.googleapis.com/", `type.googleapis.com/${REQUEST}`],
    ["another host (ANY-3)", `example.com/${REQUEST}`],
    ["a bare slash (ANY-3)", `/${REQUEST}`],
    ["several segments (ANY-2)", `a.example/b/c/${REQUEST}`],
  ])("decodes a protobuf payload whose prefix is %s", (_name, typeUrl) => {
    const decoded = decodeMethodPayload(Request, { typeUrl, value: requestBytes });
    expect(decoded.groups[0]?.steps[0]?.step).toEqual({ $case: "reply", value: { message: "m" } });
  });

  it.each([
    ["another message type", "type.googleapis.com/cloudstate.tck.model.action.OtherRequest", requestBytes],
    ["the JSON prefix with the input type's name (ANY-3)", `json.cloudstate.io/${REQUEST}`, requestBytes],
    ["a primitive", "p.cloudstate.io/string", requestBytes],
    ["no type url", "", requestBytes],
    ["bytes that do not decode (CMD-36)", `type.googleapis.com/${REQUEST}`, Uint8Array.of(0x0a, 0x7f)],
  ])("rejects %s", (_name, typeUrl, value) => {
    expect(() => decodeMethodPayload(Request, { typeUrl, value })).toThrow(PayloadDecodeError);
  });

  it("gives an absent payload as the empty message", () => {
    expect(decodeMethodPayload(Request, undefined)).toEqual(Request.create());
  });

  it("gives a method typed google.protobuf.Any the payload itself, not its value decoded as an Any (ANY-24)", () => {
    const payload = { typeUrl: "json.cloudstate.io/JsonEvent", value: json.encode({ message: "hi" }) };
    expect(decodeMethodPayload(Any, payload)).toEqual(payload);
  });

  it("gives a method typed google.protobuf.Any an empty Any for an absent payload", () => {
    expect(decodeMethodPayload(Any, undefined)).toEqual({ typeUrl: "", value: new Uint8Array(0) });
  });
});

describe("methods typed google.protobuf.Any (ANY-25)", () => {
  const anySupport = new AnySupport();
  const event = { typeUrl: "json.cloudstate.io/JsonEvent", value: json.encode({ message: "out" }) };

  it("recognises the Any type and codec", () => {
    expect(isAnyType(Any)).toBe(true);
    expect(isAnyType(messageCodec(Any))).toBe(true);
    expect(isAnyType(Request)).toBe(false);
    expect(isAnyType(json)).toBe(false);
  });

  it("packs an Any value as itself", () => {
    expect(anySupport.pack(Any, event)).toEqual(event);
  });

  it("refuses to pack something that is not an Any as an Any", () => {
    expect(() => anySupport.pack(Any, { typeUrl: 1 } as never)).toThrow(TypeError);
  });

  it("puts the Any a handler returns directly in Reply.payload", () => {
    const action = toClientAction(replyOutcome(event), 0n, messageCodec(Any), anySupport);
    expect(action?.action?.$case === "reply" && action.action.value.payload).toEqual(event);
  });
});
