import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { action as proto, contractsDescriptorSetBytes, tckModelAction as model } from "@cloudstate/protocol";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { createLogger } from "../logger.js";
import { CloudstateServer } from "../server/cloudstate-server.js";
import { Action } from "./action.js";

const { Request, Response, OtherRequest } = model;
const SERVICE = "cloudstate.tck.model.action.ActionTckModel";
type Step = model.ProcessStep["step"];
const reply = (message: string): Step => ({ $case: "reply", value: { message } });
const effect = (id: string): Step => ({ $case: "effect", value: { id, synchronous: false } });
const fail = (message: string): Step => ({ $case: "fail", value: { message } });
const groups = (...gs: Step[][]) => ({ groups: gs.map((steps) => ({ steps: steps.map((step) => ({ step })) })) });

const echo = new Action({
  service: model.ActionTckModelDefinition,
  commands: {
    processUnary: (request, ctx) => {
      let result = ctx.noReply() as ReturnType<typeof ctx.reply> | ReturnType<typeof ctx.fail> | ReturnType<typeof ctx.noReply>;
      for (const { step } of request.groups.flatMap((g) => g.steps)) {
        if (step?.$case === "reply") result = ctx.reply(Response.create({ message: step.value.message }));
        if (step?.$case === "fail") result = ctx.fail(step.value.message);
        if (step?.$case === "effect") ctx.effect(model.ActionTwoDefinition, "call", OtherRequest.create({ id: step.value.id }));
      }
      if (request.groups.length === 0) throw new Error("no groups");
      return result;
    },
    processStreamedIn: async (requests) => {
      const messages: string[] = [];
      for await (const r of requests) for (const { step } of r.groups.flatMap((g) => g.steps)) if (step?.$case === "reply") messages.push(step.value.message);
      return Response.create({ message: messages.join(",") });
    },
    processStreamedOut: (request, ctx) => {
      for (const g of request.groups) ctx.send(Response.create({ message: g.steps.map((s) => (s.step?.$case === "reply" ? s.step.value.message : "")).join("") }));
    },
    processStreamed: async (requests, ctx) => {
      for await (const r of requests) ctx.send(Response.create({ message: `${r.groups.length}` }));
    },
  },
});

let server: CloudstateServer;
let client: InstanceType<typeof proto.ActionProtocolClient>;
beforeAll(async () => {
  server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), logger: createLogger("test", "error") }).add(echo);
  const { port } = await server.start({ host: "127.0.0.1", port: 0 });
  client = new proto.ActionProtocolClient(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.shutdown(100);
});

const command = (name: string, request?: model.Request): proto.ActionCommand => ({
  serviceName: SERVICE,
  name,
  payload: request && { typeUrl: "type.googleapis.com/cloudstate.tck.model.action.Request", value: Request.encode(request).finish() },
  metadata: { entries: [{ key: "x-test", value: { $case: "stringValue", value: "1" } }] },
});
const unary = (c: proto.ActionCommand) =>
  new Promise<proto.ActionResponse>((resolve, reject) => client.handleUnary(c, (e: ServiceError | null, r?: proto.ActionResponse) => (e ? reject(e) : resolve(r!))));
const replied = (r: proto.ActionResponse) => (r.response?.$case === "reply" && r.response.value.payload ? Response.decode(r.response.value.payload.value).message : undefined);

describe("action protocol (spec/action.md)", () => {
  it("unary: the last reply wins and side effects come along", async () => {
    const r = await unary(command("ProcessUnary", groups([reply("a"), effect("e1")], [reply("b")])));
    expect(replied(r)).toBe("b");
    expect(r.sideEffects.map((s) => [s.serviceName, s.commandName, OtherRequest.decode(s.payload!.value).id])).toEqual([["cloudstate.tck.model.action.ActionTwo", "Call", "e1"]]);
  });

  it("unary: side effects accompany a failure", async () => {
    const r = await unary(command("ProcessUnary", groups([effect("e2"), fail("bad")])));
    expect(r.response).toEqual({ $case: "failure", value: { commandId: 0n, description: "bad", restart: false } });
    expect(r.sideEffects).toHaveLength(1);
  });

  it("unary: no reply step leaves the response unset", async () => {
    const r = await unary(command("ProcessUnary", groups([effect("only")])));
    expect(r.response).toBeUndefined();
  });

  it("unary: a throwing handler becomes a failure response", async () => {
    const r = await unary(command("ProcessUnary", groups()));
    expect(r.response?.$case).toBe("failure");
  });

  it("unary: an unknown method is answered with a failure naming it (CMD-40)", async () => {
    const r = await unary(command("Nope", groups()));
    expect(r.response?.$case === "failure" && r.response.value.description).toContain("Nope");
  });

  it("streamed in: a first command with a payload ends the call with an error (ERR-40)", async () => {
    const error = await new Promise<ServiceError | null>((resolve) => {
      const call = client.handleStreamedIn((e: ServiceError | null) => resolve(e));
      call.write(command("ProcessStreamedIn", groups([reply("x")])));
      call.end();
    });
    expect(error?.code).toBe(3);
  });

  it("streamed in: the first command names the call, later ones carry payloads", async () => {
    const r = await new Promise<proto.ActionResponse>((resolve, reject) => {
      const call = client.handleStreamedIn((e: ServiceError | null, res?: proto.ActionResponse) => (e ? reject(e) : resolve(res!)));
      call.write(command("ProcessStreamedIn"));
      call.write({ ...command("ProcessStreamedIn", groups([reply("x")])), serviceName: "", name: "" });
      call.write({ ...command("ProcessStreamedIn", groups([reply("y")])), serviceName: "", name: "" });
      call.end();
    });
    expect(replied(r)).toBe("x,y");
  });

  it("streamed out: one response per group, then the stream ends", async () => {
    const call = client.handleStreamedOut(command("ProcessStreamedOut", groups([reply("1")], [reply("2")], [reply("3")])));
    const messages: (string | undefined)[] = [];
    await new Promise<void>((resolve, reject) => {
      call.on("data", (r: proto.ActionResponse) => messages.push(replied(r)));
      call.on("end", () => resolve());
      call.on("error", reject);
    });
    expect(messages).toEqual(["1", "2", "3"]);
  });

  it("streamed: responses flow as requests arrive", async () => {
    const call = client.handleStreamed();
    const messages: (string | undefined)[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (r: proto.ActionResponse) => {
        messages.push(replied(r));
        if (messages.length === 2) call.end();
      });
      call.on("end", () => resolve());
      call.on("error", reject);
    });
    call.write(command("ProcessStreamed"));
    call.write({ ...command("ProcessStreamed", groups([], [])), serviceName: "", name: "" });
    call.write({ ...command("ProcessStreamed", groups([])), serviceName: "", name: "" });
    await done;
    expect(messages).toEqual(["2", "1"]);
  });
});
