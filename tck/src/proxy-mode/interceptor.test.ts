import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status as grpcStatus } from "@grpc/grpc-js";
import { eventsourced } from "@cloudstate/protocol";
import { Client, credentials, Metadata, Server, ServerCredentials, type ServerDuplexStream, type StatusObject } from "@grpc/grpc-js";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { exchangeId } from "./exchange-log.js";
import { Interceptor } from "./interceptor.js";
import { protocolMessageType, replacementBuilder } from "./replacement-builder.js";

const HANDLE = "cloudstate.eventsourced.EventSourced/handle";
const passthrough = (b: Buffer) => b;
const json = new MessageJson(payloadRegistry());

/** A user function that answers every command with an empty reply. */
async function startUserFunction(): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(
    { handle: { path: `/${HANDLE}`, requestStream: true, responseStream: true, requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough } },
    {
      handle: (call: ServerDuplexStream<Buffer, Buffer>) => {
        call.on("data", (bytes: Buffer) => {
          const m = eventsourced.EventSourcedStreamIn.decode(bytes).message;
          if (m?.$case !== "command") return;
          const reply: eventsourced.EventSourcedStreamOut = {
            message: { $case: "reply", value: { commandId: m.value.id, clientAction: { action: { $case: "reply", value: { payload: undefined, metadata: undefined } } }, sideEffects: [], events: [], snapshot: undefined } },
          };
          call.write(Buffer.from(eventsourced.EventSourcedStreamOut.encode(reply).finish()));
        });
        call.on("end", () => call.end());
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { server, port };
}

const encodeIn = (m: eventsourced.EventSourcedStreamIn) => Buffer.from(eventsourced.EventSourcedStreamIn.encode(m).finish());

/** Opens an entity stream through the interceptor, sends init and one command (id 3), and collects what comes back. */
function entityStream(client: Client, entityId: string): Promise<{ messages: eventsourced.EventSourcedStreamOut[]; status: StatusObject }> {
  return new Promise((resolve) => {
    const messages: eventsourced.EventSourcedStreamOut[] = [];
    const call = client.makeBidiStreamRequest(`/${HANDLE}`, passthrough, passthrough, new Metadata());
    call.on("data", (b: Buffer) => {
      messages.push(eventsourced.EventSourcedStreamOut.decode(b));
      call.end();
    });
    call.on("error", () => undefined);
    call.on("status", (status: StatusObject) => resolve({ messages, status }));
    call.write(encodeIn({ message: { $case: "init", value: { serviceName: "s.S", entityId, snapshot: undefined } } }));
    call.write(encodeIn({ message: { $case: "command", value: { entityId, id: 3n, name: "M", payload: undefined, streamed: false, metadata: undefined } } }));
  });
}

describe("Interceptor faults that rewrite the user function's side", () => {
  let userFunction: { server: Server; port: number };
  let interceptor: Interceptor;
  let client: Client;

  beforeAll(async () => {
    userFunction = await startUserFunction();
    interceptor = new Interceptor(`127.0.0.1:${userFunction.port}`);
    const port = await interceptor.start("127.0.0.1", 0);
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await interceptor.stop();
    userFunction.server.forceShutdown();
  });

  it("FAULT_REPLACE passes the replacement on, with copied values, and logs it as the TCK's", async () => {
    const replacement = { reply: { clientAction: { failure: { description: "no" } }, events: [{ "@type": "type.googleapis.com/cloudstate.tck.model.Persisted", value: "x" }] } };
    const replace = replacementBuilder(json, protocolMessageType(json, HANDLE, "to-proxy"), replacement, ["reply.commandId", "reply.clientAction.failure.commandId=reply.commandId"]);
    const exchange = exchangeId(HANDLE, "e-replace");
    interceptor.arm({ exchange, direction: "to-proxy", at: 1, fault: "replace", delayMs: 0, replace });
    const { messages, status } = await entityStream(client, "e-replace");
    expect(status.code).toBe(0);
    const reply = messages[0]?.message?.$case === "reply" ? messages[0].message.value : undefined;
    expect(reply?.commandId).toBe(3n);
    expect(reply?.clientAction?.action).toEqual({ $case: "failure", value: { commandId: 3n, description: "no", restart: false } });
    expect(reply?.events).toHaveLength(1);
    const logged = interceptor.log.all(exchange).filter((e) => e.kind === "message" && e.direction === "to-proxy");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.kind === "message" ? [logged[0].injected, eventsourced.EventSourcedStreamOut.decode(logged[0].bytes)] : []).toEqual(["replace", messages[0]]);
  });

  it("FAULT_COMPLETE_STREAM ends the proxy's call with OK instead of passing the message", async () => {
    const exchange = exchangeId(HANDLE, "e-complete");
    interceptor.arm({ exchange, direction: "to-proxy", at: 1, fault: "complete", delayMs: 0 });
    const { messages, status } = await entityStream(client, "e-complete");
    expect(messages).toEqual([]);
    expect(status.code).toBe(0);
    const ends = interceptor.log.all(exchange).filter((e) => e.kind === "end" && e.direction === "to-proxy");
    expect(ends.map((e) => (e.kind === "end" ? [e.code, e.details] : []))).toEqual([[0, "stream completed by the TCK"]]);
    expect(interceptor.log.all(exchange).some((e) => e.kind === "message" && e.direction === "to-proxy")).toBe(false);
  });

  it("records a proxy's cancellation as one CANCELLED end, not as a half-close first (grpc-js ends the request stream of a cancelled call)", async () => {
    const exchange = exchangeId(HANDLE, "e-cancel");
    const call = client.makeBidiStreamRequest(`/${HANDLE}`, passthrough, passthrough, new Metadata());
    call.on("error", () => undefined);
    call.write(encodeIn({ message: { $case: "init", value: { serviceName: "s.S", entityId: "e-cancel", snapshot: undefined } } }));
    await interceptor.log.next(exchange, 5000);
    call.cancel();
    const ends: string[] = [];
    for (;;) {
      const event = await interceptor.log.next(exchange, 300);
      if (event === undefined) break;
      if (event.kind === "end") ends.push(`${event.direction} ${grpcStatus[event.code]}`);
    }
    expect(ends).toEqual(["to-user-function CANCELLED", "to-proxy CANCELLED"]);
  });
});
