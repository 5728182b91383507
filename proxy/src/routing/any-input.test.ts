// Methods taking google.protobuf.Any get the Any itself as their payload (spec/payloads.md ANY-21),
// from a client request, a forward or a delivered event alike.

import { describe, expect, it } from "@jest/globals";
import { type Any, Any as AnyCodec } from "@cloudstate/protocol";
import { eventingEntitySpec } from "../../test/support/eventing-descriptors.js";
import { validateSpec } from "../discovery/spec-validation.js";
import { findMethod } from "../discovery/user-spec.js";
import { EffectRunner } from "../effects/effect-runner.js";
import { ok } from "./call-result.js";
import { Dispatcher } from "./dispatcher.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "./service-handler.js";

const spec = validateSpec(
  eventingEntitySpec([
    {
      name: "S",
      methods: [
        { name: "Typed", input: "t.C" },
        { name: "Untyped", input: "google.protobuf.Any" },
      ],
    },
  ]),
);
const typed = findMethod(spec, "t.S", "Typed");
const untyped = findMethod(spec, "t.S", "Untyped");
if (typed === undefined || untyped === undefined) throw new Error("test service not built");

/** A dispatcher whose only runtime records the calls it gets. */
function recording(): { dispatcher: Dispatcher; calls: RoutedCall[] } {
  const dispatcher = new Dispatcher(4);
  const calls: RoutedCall[] = [];
  const handler: ServiceHandler = {
    unary: (call): Promise<Answer> => {
      calls.push(call);
      return Promise.resolve({ result: ok(new Uint8Array()), afterReply: NOTHING_AFTER });
    },
    serverStream: () => undefined,
    clientStream: () => Promise.reject(new Error("not used")),
    bidi: () => undefined,
    close: () => Promise.resolve(),
  };
  dispatcher.register("t.S", handler);
  return { dispatcher, calls };
}

const json: Any = { typeUrl: "json.cloudstate.io/Thing", value: Uint8Array.of(0x0a, 0x02, 0x7b, 0x7d) };

describe("payloads of methods taking google.protobuf.Any", () => {
  it("packs a typed method's request under its input type, bytes unchanged (ANY-4)", () => {
    const { dispatcher } = recording();
    const request = Uint8Array.of(0x0a, 0x01, 0x61);
    expect(dispatcher.route(typed, request, undefined, 0).payload).toEqual({ typeUrl: "type.googleapis.com/t.C", value: request });
  });

  it("passes the Any decoded from the request as the payload itself (ANY-21)", () => {
    const { dispatcher } = recording();
    expect(dispatcher.route(untyped, AnyCodec.encode(json).finish(), undefined, 0).payload).toEqual(json);
  });

  it("passes a forward's payload to a method taking Any as itself", async () => {
    const { dispatcher, calls } = recording();
    const effects = new EffectRunner(spec, dispatcher, { warn: () => undefined });
    await effects.complete(typed, { action: { $case: "forward", value: { serviceName: "t.S", commandName: "Untyped", payload: json, metadata: undefined } } }, [], 0);
    expect(calls.map((c) => c.payload)).toEqual([json]);
  });
});
