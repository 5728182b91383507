import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { action as proto, contractsDescriptorSetBytes, tckModelAction as model, tckModelEventLogEventing as eventing } from "@cloudstate/protocol";
import { type ClientDuplexStream, type ClientReadableStream, credentials, type ServiceError, status, type StatusObject } from "@grpc/grpc-js";
import { jsonCodec } from "../any/json-codec.js";
import { createLogger } from "../logger.js";
import { CloudstateServer } from "../server/cloudstate-server.js";
import { Action } from "./action.js";

const { Request, Response } = model;
const SERVICE = "cloudstate.tck.model.action.ActionTckModel";
const reply = (message: string) => Response.create({ message });

/** Resolves when a handler has stopped, with how it stopped. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
let streamedInStopped = deferred<string>();
let streamedStopped = deferred<string>();
let afterFailure = deferred<{ closed: boolean; notified: boolean }>();

const lifecycle = new Action({
  service: model.ActionTckModelDefinition,
  commands: {
    processStreamedOut: (_request, ctx) => {
      let notified = false;
      ctx.onCancel(() => (notified = true));
      ctx.send(reply("a"));
      ctx.send(ctx.fail("stop"));
      ctx.send(reply("never"));
      afterFailure.resolve({ closed: ctx.closed, notified });
    },
    processStreamedIn: async (requests) => {
      try {
        const seen: unknown[] = [];
        for await (const request of requests) seen.push(request);
        streamedInStopped.resolve("ended");
      } catch (error) {
        streamedInStopped.resolve(`threw ${error instanceof Error ? error.message : String(error)}`);
      }
      return reply("done");
    },
    processStreamed: async (requests, ctx) => {
      try {
        for await (const request of requests) ctx.send(reply(`${request.groups.length}`));
        streamedStopped.resolve("ended");
      } catch (error) {
        streamedStopped.resolve(`threw ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  },
});

const subscriber = new Action({
  service: eventing.EventLogSubscriberModelDefinition,
  commands: {
    processAnyEvent: (event, ctx) => eventing.Response.create({ id: ctx.metadata.cloudEvent()?.subject ?? "", message: event.typeUrl }),
  },
});

let server: CloudstateServer;
let client: InstanceType<typeof proto.ActionProtocolClient>;
beforeAll(async () => {
  server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), logger: createLogger("test", "error") }).add(lifecycle).add(subscriber);
  const { port } = await server.start({ host: "127.0.0.1", port: 0 });
  client = new proto.ActionProtocolClient(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.shutdown(100);
});

const announce = (name: string, serviceName = SERVICE): proto.ActionCommand => ({ serviceName, name, payload: undefined, metadata: undefined });
const payload = (typeUrl: string, value: Uint8Array): proto.ActionCommand => ({ serviceName: "", name: "", payload: { typeUrl, value }, metadata: undefined });
const requestPayload = (groups: number) => payload(`type.googleapis.com/${Request.$type}`, Request.encode({ groups: Array.from({ length: groups }, () => ({ steps: [] })) }).finish());
const unary = (c: proto.ActionCommand) =>
  new Promise<proto.ActionResponse>((resolve, reject) => client.handleUnary(c, (e: ServiceError | null, r?: proto.ActionResponse) => (e ? reject(e) : resolve(r!))));
const failureOf = (r: proto.ActionResponse) => (r.response?.$case === "failure" ? r.response.value.description : undefined);

/** Everything a response stream delivers, and how it ends. */
function collect(call: ClientReadableStream<proto.ActionResponse> | ClientDuplexStream<proto.ActionCommand, proto.ActionResponse>) {
  const responses: proto.ActionResponse[] = [];
  return new Promise<{ responses: proto.ActionResponse[]; code: status }>((resolve) => {
    call.on("data", (r: proto.ActionResponse) => responses.push(r));
    call.on("status", (s: StatusObject) => resolve({ responses, code: s.code }));
    call.on("error", () => undefined);
  });
}

describe("action call lifecycle (spec/action.md)", () => {
  it("a handler typed google.protobuf.Any receives the payload itself (ANY-24)", async () => {
    const event = { typeUrl: "json.cloudstate.io/JsonEvent", value: jsonCodec("JsonEvent").encode({ message: "hi" }) };
    const r = await unary({
      serviceName: eventing.EventLogSubscriberModelDefinition.fullName,
      name: "ProcessAnyEvent",
      payload: event,
      metadata: { entries: [{ key: "ce-specversion", value: { $case: "stringValue", value: "1.0" } }, { key: "ce-subject", value: { $case: "stringValue", value: "e1" } }] },
    });
    expect(r.response?.$case === "reply" && eventing.Response.decode(r.response.value.payload!.value)).toEqual({ id: "e1", message: "json.cloudstate.io/JsonEvent" });
  });

  it("a payload of another type is answered with a failure naming the method (CMD-40)", async () => {
    const r = await unary({ ...payload("type.googleapis.com/cloudstate.tck.model.action.OtherRequest", new Uint8Array(0)), serviceName: SERVICE, name: "ProcessUnary" });
    expect(failureOf(r)).toContain("ProcessUnary");
  });

  it("an unknown service is answered with a failure naming the method (CMD-40)", async () => {
    const r = await unary({ ...requestPayload(1), serviceName: "no.Such", name: "Anything" });
    expect(failureOf(r)).toContain("Anything");
  });

  it("streamed out: a failure is the last response and ends the call (ACT-24)", async () => {
    afterFailure = deferred();
    const { responses, code } = await collect(client.handleStreamedOut({ ...requestPayload(0), serviceName: SERVICE, name: "ProcessStreamedOut" }));
    expect(responses.map((r) => r.response?.$case)).toEqual(["reply", "failure"]);
    expect(code).toBe(status.OK);
    expect(await afterFailure.promise).toEqual({ closed: true, notified: true });
  });

  it("streamed in: a call half-closed before its first command ends with INVALID_ARGUMENT (ERR-40)", async () => {
    const error = await new Promise<ServiceError | null>((resolve) => client.handleStreamedIn((e: ServiceError | null) => resolve(e)).end());
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
  });

  it("streamed in: cancelling the call ends the handler's iteration (ACT-40)", async () => {
    streamedInStopped = deferred();
    const call = client.handleStreamedIn(() => undefined);
    call.write(announce("ProcessStreamedIn"));
    call.write(requestPayload(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    call.cancel();
    // Whether the iteration ends or throws is grpc-js's choice; it must not wait for ever.
    expect(await streamedInStopped.promise).toMatch(/^(ended|threw the call was cancelled)$/);
  });

  it("streamed: cancelling the call ends the handler's iteration (ACT-40)", async () => {
    streamedStopped = deferred();
    const call: ClientDuplexStream<proto.ActionCommand, proto.ActionResponse> = client.handleStreamed();
    const first = new Promise((resolve) => call.once("data", resolve));
    call.on("error", () => undefined);
    call.write(announce("ProcessStreamed"));
    call.write(requestPayload(2));
    await first;
    call.cancel();
    expect(await streamedStopped.promise).toMatch(/^(ended|threw the call was cancelled)$/);
  });

  it("streamed: an undecodable later payload gives exactly one failure, then the call completes", async () => {
    const call: ClientDuplexStream<proto.ActionCommand, proto.ActionResponse> = client.handleStreamed();
    const done = collect(call);
    call.write(announce("ProcessStreamed"));
    call.write(payload(`type.googleapis.com/${Request.$type}`, Uint8Array.of(0x0a, 0x7f)));
    call.write(requestPayload(1));
    const { responses, code } = await done;
    expect(responses.map(failureOf)).toEqual([expect.stringContaining("ProcessStreamed")]);
    expect(code).toBe(status.OK);
  });
});
