import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { contractsDescriptorSetBytes, EntityType, tckModelAction } from "@cloudstate/protocol";
import { type ClientDuplexStream, credentials, Metadata, Server, ServerCredentials, type ServiceError, status } from "@grpc/grpc-js";
import { validateSpec } from "../discovery/spec-validation.js";
import type { MethodSpec } from "../discovery/user-spec.js";
import type { ResponseStream } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import { addUserServices } from "./grpc-frontend.js";

const ACTION = "cloudstate.tck.model.action.ActionTckModel";
const spec = validateSpec({
  proto: contractsDescriptorSetBytes(),
  entities: [{ entityType: EntityType.Action, serviceName: ACTION, persistenceId: "", passivationStrategy: undefined }],
  serviceInfo: undefined,
});

/** Echoes every request message of a bidirectional call, and ends the call OK once the client's messages end. */
const echo = {
  bidi(_method: MethodSpec, requests: AsyncIterable<Uint8Array>, _metadata: unknown, out: ResponseStream): void {
    void (async () => {
      for await (const request of requests) out.send(request, undefined);
      out.end();
    })();
  },
} as unknown as Dispatcher;

/**
 * Answers the first request message of a bidirectional call with that message and then, in the
 * same tick and while still reading the requests (the write of the message not yet flushed), ends
 * the call with UNKNOWN: as an action's reply followed by its failure (ACT-16).
 */
const replyThenFail = {
  bidi(_method: MethodSpec, requests: AsyncIterable<Uint8Array>, _metadata: unknown, out: ResponseStream): void {
    void (async () => {
      for await (const request of requests) {
        out.send(request, undefined);
        out.end({ code: status.UNKNOWN, message: "stop here" });
      }
      // How the requests end once the call has ended is not what these tests check.
    })().catch(() => undefined);
  },
} as unknown as Dispatcher;

const servers: Server[] = [];
const clients: tckModelAction.ActionTckModelClient[] = [];

async function serve(dispatcher: Dispatcher): Promise<tckModelAction.ActionTckModelClient> {
  const server = new Server();
  servers.push(server);
  addUserServices(server, spec, dispatcher, () => undefined);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  const client = new tckModelAction.ActionTckModelClient(`127.0.0.1:${port}`, credentials.createInsecure());
  clients.push(client);
  return client;
}

let client: tckModelAction.ActionTckModelClient;
let failingClient: tckModelAction.ActionTckModelClient;

beforeAll(async () => {
  client = await serve(echo);
  failingClient = await serve(replyThenFail);
});

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.forceShutdown();
});

function ended(call: ClientDuplexStream<tckModelAction.Request, tckModelAction.Response>): Promise<{ code: status; responses: number }> {
  let responses = 0;
  return new Promise((resolve) => {
    call.on("data", () => responses++);
    call.on("error", (error: ServiceError) => resolve({ code: error.code, responses }));
    call.on("status", (s: { code: status }) => {
      if (s.code === status.OK) resolve({ code: s.code, responses });
    });
  });
}

describe("gRPC frontend, bidirectional calls", () => {
  it("ends the call with its status after the client's messages end", async () => {
    const call = client.processStreamed(new Metadata(), { deadline: Date.now() + 3000 });
    const outcome = ended(call);
    call.write({ groups: [] });
    call.write({ groups: [] });
    call.end();
    // Reading the requests to their end must not destroy the response side of the call.
    expect(await outcome).toEqual({ code: status.OK, responses: 2 });
  });

  // The response side ends the call by an error event, which an async iterator of the request
  // side answers by destroying the stream: grpc-js then never sent the status (ACT-16).
  it.each([
    ["while the client is still sending", false],
    ["after the client half-closed", true],
  ])("ends the call with the error the response side gives, %s", async (_, halfClose) => {
    const call = failingClient.processStreamed(new Metadata(), { deadline: Date.now() + 3000 });
    const outcome = ended(call);
    call.write({ groups: [] });
    if (halfClose) call.end();
    expect(await outcome).toEqual({ code: status.UNKNOWN, responses: 1 });
  });
});
