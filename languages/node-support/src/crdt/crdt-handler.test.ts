import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Any, contractsDescriptorSetBytes, crdt, tckModelCrdt as model } from "@cloudstate/protocol";
import { openStream } from "../../test/support/stream-probe.js";
import { createLogger } from "../logger.js";
import { CloudstateServer } from "../server/cloudstate-server.js";
import { CrdtEntity } from "./crdt-entity.js";
import { CrdtWriteConsistency } from "./crdt-enums.js";
import { GCounter } from "./gcounter.js";

const { Request, Response, StreamedRequest } = model;
const SERVICE = "cloudstate.tck.model.crdt.CrdtTckModel";
const counterOf = (state: unknown) => (state instanceof GCounter ? state.value : 0n);

// Process increments by 1; ProcessStreamed accepts the stream and, on cancel, increments by 2 with write consistency ALL.
const entity = new CrdtEntity({
  service: model.CrdtTckModelDefinition,
  commands: {
    process: (request, ctx) => {
      const counter = ctx.state ?? ctx.create(new GCounter());
      if (counter instanceof GCounter) counter.increment(1);
      if (request.id === "throws" && counter instanceof GCounter) {
        counter.increment(10);
        throw new Error("boom");
      }
      return Response.create({ state: { value: { $case: "gcounter", value: { value: counterOf(ctx.state) } } } });
    },
    processStreamed: (_request, ctx) => {
      ctx.onCancel = (cancel) => {
        const counter = cancel.state ?? cancel.create(new GCounter());
        if (counter instanceof GCounter) counter.increment(2);
        cancel.writeConsistency = CrdtWriteConsistency.ALL;
      };
      return ctx.noReply();
    },
  },
});

let server: CloudstateServer;
let address: string;
beforeAll(async () => {
  server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), logger: createLogger("test", "error") }).add(entity);
  address = `127.0.0.1:${(await server.start({ host: "127.0.0.1", port: 0 })).port}`;
});
afterAll(() => server.shutdown(100));

function open(entityId: string) {
  const stream = openStream<crdt.CrdtStreamIn, crdt.CrdtStreamOut>(
    address,
    "/cloudstate.crdt.Crdt/handle",
    (m) => crdt.CrdtStreamIn.encode(m).finish(),
    (b) => crdt.CrdtStreamOut.decode(b),
  );
  stream.probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId, state: { state: { $case: "gcounter", value: { value: 5n } } } } } });
  const command = (id: bigint, name: string, payload: Any, streamed = false) =>
    stream.probe.send({ message: { $case: "command", value: { entityId, id, name, payload, streamed, metadata: undefined } } });
  return { ...stream, command };
}

const request = (id: string): Any => ({ typeUrl: "type.googleapis.com/cloudstate.tck.model.crdt.Request", value: Request.encode({ id, actions: [] }).finish() });

describe("CRDT entity stream (spec/crdt.md)", () => {
  it("answers a payload of another type with a failure without restart and keeps the value (CMD-36, ERR-39)", async () => {
    const { probe, command, close } = open("c1");
    const streamedRequest: Any = { typeUrl: "type.googleapis.com/cloudstate.tck.model.crdt.StreamedRequest", value: StreamedRequest.encode(StreamedRequest.create({ id: "c1" })).finish() };
    command(1n, "Process", streamedRequest);
    const failed = await probe.next();
    const reply = failed.message?.$case === "reply" ? failed.message.value : undefined;
    expect(reply?.stateAction).toBeUndefined();
    const action = reply?.clientAction?.action;
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 1n, restart: false, description: expect.stringContaining("is not") as unknown });
    command(2n, "Process", request("c1"));
    const next = await probe.next();
    expect(next.message?.$case === "reply" && next.message.value.stateAction?.action).toEqual({ $case: "update", value: { delta: { $case: "gcounter", value: { increment: 1n } } } });
    close();
  });

  // The TCK models have no throwing handler: this is the check of CMD-38 and CRDT-30 (tck/coverage-exclusions.yaml).
  it("answers a handler that changed the value and then threw with a failure, and puts the agreed value back (CMD-38, CRDT-30)", async () => {
    const { probe, command, close } = open("c3");
    command(1n, "Process", request("throws"));
    const failed = await probe.next();
    const reply = failed.message?.$case === "reply" ? failed.message.value : undefined;
    expect(reply?.stateAction).toBeUndefined();
    const action = reply?.clientAction?.action;
    // restart may be false only because the agreed value was put back, which the next command shows.
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 1n, description: expect.stringContaining("boom") as unknown });
    command(2n, "Process", request("c3"));
    const next = await probe.next();
    const answer = next.message?.$case === "reply" ? next.message.value : undefined;
    expect(answer?.stateAction?.action).toEqual({ $case: "update", value: { delta: { $case: "gcounter", value: { increment: 1n } } } });
    const payload = answer?.clientAction?.action?.$case === "reply" ? answer.clientAction.action.value.payload : undefined;
    expect(payload && Response.decode(payload.value).state?.value).toEqual({ $case: "gcounter", value: { value: 6n } });
    close();
  });

  it("sends the cancel callback's write consistency with its state action (CRDT-82, CRDT-86)", async () => {
    const { probe, command, close } = open("c2");
    const streamedRequest: Any = { typeUrl: "type.googleapis.com/cloudstate.tck.model.crdt.StreamedRequest", value: StreamedRequest.encode(StreamedRequest.create({ id: "c2" })).finish() };
    command(1n, "ProcessStreamed", streamedRequest, true);
    const accepted = await probe.next();
    expect(accepted.message?.$case === "reply" && accepted.message.value.streamed).toBe(true);
    probe.send({ message: { $case: "streamCancelled", value: { entityId: "c2", id: 1n } } });
    const response = await probe.next();
    expect(response.message).toEqual({
      $case: "streamCancelledResponse",
      value: {
        commandId: 1n,
        sideEffects: [],
        stateAction: { action: { $case: "update", value: { delta: { $case: "gcounter", value: { increment: 2n } } } }, writeConsistency: CrdtWriteConsistency.ALL },
      },
    });
    close();
  });
});
