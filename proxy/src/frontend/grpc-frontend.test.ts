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

let server: Server;
let client: tckModelAction.ActionTckModelClient;

beforeAll(async () => {
  server = new Server();
  addUserServices(server, spec, echo, () => undefined);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  client = new tckModelAction.ActionTckModelClient(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
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
});
