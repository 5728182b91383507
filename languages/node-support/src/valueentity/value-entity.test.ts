import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Any, contractsDescriptorSetBytes, tckModelValueEntity as model, valueentity } from "@cloudstate/protocol";
import { openStream } from "../../test/support/stream-probe.js";
import { createLogger } from "../logger.js";
import { CloudstateServer } from "../server/cloudstate-server.js";
import { ValueEntity } from "./value-entity.js";

const { Persisted, Request, Response } = model;
const SERVICE = "cloudstate.tck.model.valueentity.ValueEntityTckModel";
const persisted = (value: string): Any => ({ typeUrl: "type.googleapis.com/cloudstate.tck.model.valueentity.Persisted", value: Persisted.encode({ value }).finish() });
type Action = model.RequestAction["action"];
const update = (value: string): Action => ({ $case: "update", value: { value } });
const del: Action = { $case: "delete", value: {} };
const fail = (message: string): Action => ({ $case: "fail", value: { message } });

const entity = new ValueEntity({
  service: model.ValueEntityTckModelDefinition,
  persistenceId: "ve",
  stateType: Persisted,
  initialState: () => Persisted.create(),
  commands: {
    process: (req, ctx) => {
      for (const { action } of req.actions) {
        if (action?.$case === "update") ctx.updateState({ value: action.value.value });
        if (action?.$case === "delete") ctx.deleteState();
        if (action?.$case === "fail") return ctx.fail(action.value.message);
      }
      if (req.id === "throws") {
        // Mutates the in-memory value in place, then raises: only a restart makes the value trustworthy again.
        ctx.state.value = "mutated";
        throw new Error("boom");
      }
      return Response.create({ message: ctx.state.value });
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

function open(entityId: string, stored?: string) {
  const stream = openStream<valueentity.ValueEntityStreamIn, valueentity.ValueEntityStreamOut>(
    address,
    "/cloudstate.valueentity.ValueEntity/handle",
    (m) => valueentity.ValueEntityStreamIn.encode(m).finish(),
    (b) => valueentity.ValueEntityStreamOut.decode(b),
  );
  stream.probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId, state: { value: stored === undefined ? undefined : persisted(stored) } } } });
  let id = 0n;
  const call = async (...actions: Action[]) => {
    id += 1n;
    stream.probe.send({
      message: {
        $case: "command",
        value: {
          entityId,
          id,
          name: "Process",
          payload: { typeUrl: "type.googleapis.com/cloudstate.tck.model.valueentity.Request", value: Request.encode({ id: entityId, actions: actions.map((action) => ({ action })) }).finish() },
          streamed: false,
          metadata: undefined,
        },
      },
    });
    const out = await stream.probe.next();
    if (out.message?.$case !== "reply") throw new Error("expected a reply");
    expect(out.message.value.commandId).toBe(id);
    return out.message.value;
  };
  return { ...stream, call };
}

const message = (reply: valueentity.ValueEntityReply) => {
  const action = reply.clientAction?.action;
  return action?.$case === "reply" && action.value.payload ? Response.decode(action.value.payload.value).message : undefined;
};

describe("value entity protocol (spec/value-entity.md)", () => {
  it("starts from the stored value and answers updates with a state action", async () => {
    const { call, close } = open("v1", "stored");
    const read = await call();
    expect(message(read)).toBe("stored");
    expect(read.stateAction).toBeUndefined();
    const written = await call(update("new"));
    expect(written.stateAction?.action?.$case).toBe("update");
    const value = written.stateAction?.action?.$case === "update" ? written.stateAction.action.value.value : undefined;
    expect(value?.typeUrl).toBe("type.googleapis.com/cloudstate.tck.model.valueentity.Persisted");
    expect(Persisted.decode(value!.value).value).toBe("new");
    expect(message(written)).toBe("new");
    close();
  });

  it("deletes: a delete action, and the state reads as initial", async () => {
    const { call, close } = open("v2", "x");
    const deleted = await call(del);
    expect(deleted.stateAction).toEqual({ action: { $case: "delete", value: {} } });
    expect(message(deleted)).toBe("");
    close();
  });

  it("a failure carries no state action and changes nothing", async () => {
    const { call, close } = open("v3", "before");
    const failed = await call(update("lost"), fail("nope"));
    expect(failed.stateAction).toBeUndefined();
    expect(failed.clientAction?.action).toEqual({ $case: "failure", value: { commandId: 1n, description: "nope", restart: false } });
    expect(message(await call())).toBe("before");
    close();
  });

  it("answers a payload of another type with a failure without restart and keeps serving (CMD-36, ERR-39)", async () => {
    const { probe, call, close } = open("v4", "kept");
    probe.send({
      message: {
        $case: "command",
        value: { entityId: "v4", id: 10n, name: "Process", payload: persisted("not a request"), streamed: false, metadata: undefined },
      },
    });
    const out = await probe.next();
    const action = out.message?.$case === "reply" ? out.message.value.clientAction?.action : undefined;
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 10n, restart: false, description: expect.stringContaining("is not") as unknown });
    expect(message(await call())).toBe("kept");
    close();
  });

  // The TCK models have no throwing handler: this is the check of CMD-38 and VE-26 (tck/coverage-exclusions.yaml).
  it("answers a handler that mutated the value and then threw with a failure with restart and no state action (CMD-38, VE-26)", async () => {
    const { call, close } = open("throws", "stored");
    const failed = await call(update("staged"));
    expect(failed.stateAction).toBeUndefined();
    expect(failed.sideEffects).toEqual([]);
    const action = failed.clientAction?.action;
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 1n, restart: true, description: expect.stringContaining("boom") as unknown });
    close();
  });

  it("fails the stream on a stored state of the wrong type", async () => {
    const stream = openStream<valueentity.ValueEntityStreamIn, valueentity.ValueEntityStreamOut>(
      address,
      "/cloudstate.valueentity.ValueEntity/handle",
      (m) => valueentity.ValueEntityStreamIn.encode(m).finish(),
      (b) => valueentity.ValueEntityStreamOut.decode(b),
    );
    stream.probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId: "w", state: { value: { typeUrl: "type.googleapis.com/other.Type", value: new Uint8Array() } } } } });
    const out = await stream.probe.next();
    expect(out.message?.$case).toBe("failure");
    expect((await stream.probe.end())?.code).toBe(9);
    stream.close();
  });
});
