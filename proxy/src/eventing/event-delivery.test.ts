import { describe, expect, it } from "@jest/globals";
import type { Any, cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { eventingEntitySpec, fromEventLog } from "../../test/support/eventing-descriptors.js";
import { validateSpec } from "../discovery/spec-validation.js";
import { findMethod, type MethodSpec } from "../discovery/user-spec.js";
import { fail, ok, type ResponseStream } from "../routing/call-result.js";
import { Dispatcher } from "../routing/dispatcher.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";
import { cloudEventMetadata } from "./cloud-event.js";
import { EventDelivery } from "./event-delivery.js";

const spec = validateSpec(
  eventingEntitySpec([
    {
      name: "S",
      methods: [
        { name: "In", input: "t.C", eventing: fromEventLog("p", "in"), clientStreaming: true },
        { name: "Both", input: "t.C", eventing: fromEventLog("p", "both"), clientStreaming: true, serverStreaming: true },
        { name: "Out", input: "t.C", eventing: fromEventLog("p", "out"), serverStreaming: true },
      ],
    },
  ]),
);

function method(name: string): MethodSpec {
  const found = findMethod(spec, "t.S", name);
  if (found === undefined) throw new Error(`no t.S.${name}`);
  return found;
}

/** What a streamed call's runtime received: the call's metadata and each request message, and whether the requests ended. */
interface Received {
  metadata: cloudstate.Metadata | undefined;
  payloads: Any[];
  halfClosed: boolean;
}

/** A runtime for t.S whose streamed calls read every request, then answer as told. */
function runtime(received: Received, outcome: "ok" | "fail" | "never"): ServiceHandler {
  const read = async (call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>) => {
    received.metadata = call.metadata;
    for await (const payload of requests) received.payloads.push(payload);
    received.halfClosed = true;
  };
  const end = (out: ResponseStream) => {
    if (outcome === "ok") {
      out.send(new Uint8Array(), undefined);
      out.end();
    } else if (outcome === "fail") out.end({ code: status.UNKNOWN, message: "no" });
  };
  return {
    unary: (): Promise<Answer> => Promise.reject(new Error("not used")),
    serverStream: (call, out) => {
      received.metadata = call.metadata;
      received.payloads.push(call.payload);
      end(out);
    },
    clientStream: async (call, requests) => {
      await read(call, requests);
      return { result: outcome === "ok" ? ok(new Uint8Array()) : fail(status.UNKNOWN, "no"), afterReply: NOTHING_AFTER };
    },
    bidi: (call, requests, out) => void read(call, requests).then(() => end(out)),
    close: () => Promise.resolve(),
  };
}

const request = Uint8Array.of(0x0a, 0x01, 0x61);
const metadata = cloudEventMetadata({ id: "e:1", source: "p", type: "t.C", subject: "e", time: undefined });

function setup(outcome: "ok" | "fail" | "never", streamTimeoutMs = 5000) {
  const received: Received = { metadata: undefined, payloads: [], halfClosed: false };
  const dispatcher = new Dispatcher(4);
  dispatcher.register("t.S", runtime(received, outcome));
  return { received, delivery: new EventDelivery(dispatcher, streamTimeoutMs) };
}

describe("EventDelivery", () => {
  it.each(["In", "Both"])("calls a %s subscriber with the metadata, one message carrying the event, then the half-close (EVT-16)", async (name) => {
    const { received, delivery } = setup("ok");
    const m = method(name);
    expect(await delivery.deliver(delivery.route(m, request, metadata), request)).toEqual({ ok: true });
    expect(received).toEqual({ metadata, payloads: [{ typeUrl: "type.googleapis.com/t.C", value: request }], halfClosed: true });
  });

  it.each(["In", "Both", "Out"])("reports a failed %s delivery with its status", async (name) => {
    const { delivery } = setup("fail");
    const m = method(name);
    expect(await delivery.deliver(delivery.route(m, request, metadata), request)).toEqual({ ok: false, error: { code: status.UNKNOWN, message: "no" } });
  });

  it("fails a streamed delivery that does not end in time", async () => {
    const { delivery } = setup("never", 20);
    const outcome = await delivery.deliver(delivery.route(method("Out"), request, metadata), request);
    expect(outcome).toMatchObject({ ok: false, error: { code: status.DEADLINE_EXCEEDED } });
  });
});
