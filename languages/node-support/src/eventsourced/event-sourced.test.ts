import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Any, contractsDescriptorSetBytes, eventsourced, tckModelEventSourced as model } from "@cloudstate/protocol";
import { openStream } from "../../test/support/stream-probe.js";
import { createLogger } from "../logger.js";
import { CloudstateServer } from "../server/cloudstate-server.js";
import { EventSourcedEntity, on } from "./event-sourced-entity.js";

const { Persisted, Request, Response } = model;
const SERVICE = "cloudstate.tck.model.EventSourcedTckModel";
const persisted = (value: string): Any => ({ typeUrl: "type.googleapis.com/cloudstate.tck.model.Persisted", value: Persisted.encode({ value }).finish() });
const request = (id: string, actions: model.RequestAction[]): Any => ({
  typeUrl: "type.googleapis.com/cloudstate.tck.model.Request",
  value: Request.encode({ id, actions }).finish(),
});
const emit = (value: string): model.RequestAction => ({ action: { $case: "emit", value: { value } } });
const fail = (message: string): model.RequestAction => ({ action: { $case: "fail", value: { message } } });

const entity = new EventSourcedEntity({
  service: model.EventSourcedTckModelDefinition,
  persistenceId: "es",
  snapshotEvery: 2,
  initialState: () => "",
  events: [
    on(Persisted, (e, s: string) => {
      if (e.value === "explode") throw new Error("cannot apply explode");
      return s + e.value;
    }),
  ],
  snapshot: { type: Persisted, toSnapshot: (s: string) => ({ value: s }), fromSnapshot: (p: model.Persisted) => p.value },
  commands: {
    process: (req, ctx) => {
      for (const { action } of req.actions) {
        if (action?.$case === "emit") ctx.emit(Persisted, { value: action.value.value });
        if (action?.$case === "fail") return ctx.fail(action.value.message);
        if (action?.$case === "effect") ctx.effect(model.EventSourcedTwoDefinition, "call", Request.create({ id: action.value.id }), { synchronous: true });
      }
      if (req.id === "throws") throw new Error("boom");
      return Response.create({ message: ctx.state });
    },
  },
});

let server: CloudstateServer;
let address: string;

beforeAll(async () => {
  server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), logger: createLogger("test", "error") }).add(entity);
  const bound = await server.start({ host: "127.0.0.1", port: 0 });
  address = `127.0.0.1:${bound.port}`;
});
afterAll(() => server.shutdown(100));

function open() {
  return openStream<eventsourced.EventSourcedStreamIn, eventsourced.EventSourcedStreamOut>(
    address,
    "/cloudstate.eventsourced.EventSourced/handle",
    (m) => eventsourced.EventSourcedStreamIn.encode(m).finish(),
    (b) => eventsourced.EventSourcedStreamOut.decode(b),
  );
}
const init = (entityId: string, snapshot?: eventsourced.EventSourcedSnapshot): eventsourced.EventSourcedStreamIn => ({
  message: { $case: "init", value: { serviceName: SERVICE, entityId, snapshot } },
});
const command = (id: bigint, entityId: string, actions: model.RequestAction[], name = "Process"): eventsourced.EventSourcedStreamIn => ({
  message: { $case: "command", value: { entityId, id, name, payload: request(entityId, actions), streamed: false, metadata: undefined } },
});
const event = (sequence: bigint, value: string): eventsourced.EventSourcedStreamIn => ({ message: { $case: "event", value: { sequence, payload: persisted(value) } } });

function reply(out: eventsourced.EventSourcedStreamOut) {
  if (out.message?.$case !== "reply") throw new Error(`expected a reply, got ${JSON.stringify(out.message?.$case)}`);
  return out.message.value;
}
function replyMessage(out: eventsourced.EventSourcedStreamOut): string {
  const action = reply(out).clientAction?.action;
  if (action?.$case !== "reply" || !action.value.payload) throw new Error("expected a client reply");
  return Response.decode(action.value.payload.value).message;
}

describe("event-sourced protocol (spec/event-sourced.md)", () => {
  it("replays snapshot and events, then persists emitted events with a snapshot every 2", async () => {
    const { probe, close } = open();
    probe.send(init("e1", { snapshotSequence: 3n, snapshot: persisted("abc") })).send(event(4n, "d"));
    probe.send(command(1n, "e1", [emit("e")]));
    const first = reply(await probe.next());
    expect(first.commandId).toBe(1n);
    expect(first.events.map((e) => Persisted.decode(e.value).value)).toEqual(["e"]);
    // sequence 5: not a multiple of 2, no snapshot
    expect(first.snapshot).toBeUndefined();
    expect(replyMessage({ message: { $case: "reply", value: first } })).toBe("abcde");
    probe.send(command(2n, "e1", [emit("f")]));
    const second = reply(await probe.next());
    expect(second.snapshot && Persisted.decode(second.snapshot.value).value).toBe("abcdef");
    probe.halfClose();
    expect(await probe.end()).toBeUndefined();
    close();
  });

  it("discards events of a failed command and asks for a restart when some were emitted", async () => {
    const { probe, close } = open();
    probe.send(init("e2")).send(command(1n, "e2", [emit("x"), fail("no")]));
    const failed = reply(await probe.next());
    expect(failed.events).toEqual([]);
    expect(failed.clientAction?.action).toEqual({ $case: "failure", value: { commandId: 1n, description: "no", restart: true } });
    probe.send(command(2n, "e2", [fail("plain")]));
    expect(reply(await probe.next()).clientAction?.action).toEqual({ $case: "failure", value: { commandId: 2n, description: "plain", restart: false } });
    close();
  });

  it("answers an unknown command with a failure and keeps serving", async () => {
    const { probe, close } = open();
    probe.send(init("e3")).send(command(1n, "e3", [], "NoSuchMethod"));
    const failed = reply(await probe.next());
    expect(failed.clientAction?.action?.$case).toBe("failure");
    probe.send(command(2n, "e3", [emit("y")]));
    expect(replyMessage(await probe.next())).toBe("y");
    close();
  });

  it.each([
    ["of another type", { typeUrl: "type.googleapis.com/cloudstate.tck.model.Persisted", value: Persisted.encode({ value: "e5" }).finish() }, "is not a cloudstate.tck.model.Request"],
    // Reserved prefixes are never protobuf messages, even when the rest names the input type (ANY-9, ANY-3).
    ["with the primitive prefix", { typeUrl: "p.cloudstate.io/cloudstate.tck.model.Request", value: Request.encode({ id: "e5", actions: [] }).finish() }, "is not a cloudstate.tck.model.Request"],
    ["with the JSON prefix", { typeUrl: "json.cloudstate.io/cloudstate.tck.model.Request", value: Request.encode({ id: "e5", actions: [] }).finish() }, "is not a cloudstate.tck.model.Request"],
    ["with undecodable bytes", { typeUrl: "type.googleapis.com/cloudstate.tck.model.Request", value: new Uint8Array([0x0a, 0x05, 0x61]) }, "cannot decode"],
  ])("answers a payload %s with a failure without restart and keeps serving (CMD-36, ERR-39)", async (_name, payload: Any, text) => {
    const { probe, close } = open();
    probe.send(init("e5")).send({ message: { $case: "command", value: { entityId: "e5", id: 1n, name: "Process", payload, streamed: false, metadata: undefined } } });
    const action = reply(await probe.next()).clientAction?.action;
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 1n, restart: false, description: expect.stringContaining(text) as unknown });
    probe.send(command(2n, "e5", [emit("y")]));
    expect(replyMessage(await probe.next())).toBe("y");
    close();
  });

  it("turns a throwing handler into a failure with restart", async () => {
    const { probe, close } = open();
    probe.send(init("throws")).send(command(1n, "throws", []));
    const action = reply(await probe.next()).clientAction?.action;
    expect(action?.$case === "failure" && action.value).toMatchObject({ restart: true, description: expect.stringContaining("boom") as unknown });
    close();
  });

  // The TCK models have no throwing handler: these are the checks of CMD-38, CMD-39 and ES-37
  // (tck/coverage-exclusions.yaml).
  it.each([
    ["a command handler that throws after emitting (CMD-38, CMD-39)", "throws", [emit("x")], "boom"],
    ["an event handler that throws while applying an emitted event (ES-37)", "e6", [emit("a"), emit("explode")], "cannot apply explode"],
  ])("answers %s with a failure with restart and no events", async (_name, entityId, actions, text) => {
    const { probe, close } = open();
    probe.send(init(entityId)).send(command(1n, entityId, actions));
    const failed = reply(await probe.next());
    expect(failed.events).toEqual([]);
    expect(failed.snapshot).toBeUndefined();
    expect(failed.sideEffects).toEqual([]);
    const action = failed.clientAction?.action;
    expect(action?.$case === "failure" && action.value).toMatchObject({ commandId: 1n, restart: true, description: expect.stringContaining(text) as unknown });
    close();
  });

  it("includes side effects with the reply", async () => {
    const { probe, close } = open();
    probe.send(init("e4")).send(command(1n, "e4", [{ action: { $case: "effect", value: { id: "other", synchronous: true } } }]));
    const effects = reply(await probe.next()).sideEffects;
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ serviceName: "cloudstate.tck.model.EventSourcedTwo", commandName: "Call", synchronous: true });
    expect(Request.decode(effects[0]!.payload!.value).id).toBe("other");
    close();
  });

  describe("fails the stream closed on protocol violations (spec/protocol-errors.md)", () => {
    const cases: [string, (p: ReturnType<typeof open>["probe"]) => void][] = [
      ["command before init", (p) => p.send(command(1n, "v", []))],
      ["second init", (p) => p.send(init("v")).send(init("v"))],
      ["event after a command", (p) => p.send(init("v")).send(command(1n, "v", [])).send(event(1n, "late"))],
      ["event out of sequence", (p) => p.send(init("v")).send(event(2n, "gap"))],
      ["undecodable bytes", (p) => p.sendRaw(new Uint8Array([0xff, 0xff, 0xff]))],
      ["unknown oneof case", (p) => p.sendRaw(new Uint8Array([0x4a, 0x00]))],
      ["init for a service nobody serves", (p) => p.send({ message: { $case: "init", value: { serviceName: "no.Such", entityId: "v", snapshot: undefined } } })],
    ];
    it.each(cases)("%s", async (_name, act) => {
      const { probe, close } = open();
      act(probe);
      let out = await probe.next();
      if (out.message?.$case === "reply") out = await probe.next(); // a command answered before the violation
      expect(out.message?.$case).toBe("failure");
      expect(out.message?.$case === "failure" && out.message.value.commandId).toBe(0n);
      const status = await probe.end();
      expect(status?.code).toBe(9); // FAILED_PRECONDITION
      close();
      // The server keeps serving other streams.
      const other = open();
      other.probe.send(init("ok")).send(command(1n, "ok", [emit("z")]));
      expect(replyMessage(await other.probe.next())).toBe("z");
      other.close();
    });
  });
});

