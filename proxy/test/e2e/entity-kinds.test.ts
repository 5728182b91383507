// Every entity kind through a real proxy process in front of the node-support TCK model.

import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { tckModelAction, tckModelCrdt } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { rawClientStreamOutcome, rawUnaryOutcome } from "../support/grpc-calls.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll, type TckClients } from "../support/tck-clients.js";
import { startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";
import { sleep, waitFor } from "../support/wait.js";

// Each test makes a handful of calls; the bound is for a loaded machine, not a performance target.
jest.setTimeout(20_000);

let uf: UserFunctionProcess;
let proxy: ProxyProcess;
let c: TckClients;

beforeAll(async () => {
  uf = await startUserFunction();
  proxy = await startProxy({ userFunctionPort: uf.port });
  c = proxy.clients;
}, 30_000);

afterAll(async () => {
  await proxy.stop();
  await uf.process.stop();
  await killAllProcesses();
}, 30_000);

const EVENT_SOURCED_TWO = { service: "cloudstate.tck.model.EventSourcedTwo" };

describe("start-up", () => {
  it("says in its log that the in-memory store does not survive a restart (FO-11)", () => {
    const warnings = proxy.process.output().filter((line) => line.includes('"level":"warn"') && line.includes("lost when the proxy stops"));
    expect(warnings).toHaveLength(1);
  });
});

describe("event-sourced entity", () => {
  it("emits events and keeps its state across calls", async () => {
    expect(await c.esProcess(emitAll("es-state", "a", "b"))).toEqual({ ok: true, value: { message: "ab" } });
    expect(await c.esProcess(emitAll("es-state", "c"))).toEqual({ ok: true, value: { message: "abc" } });
    expect(await c.esProcess({ id: "es-state" })).toEqual({ ok: true, value: { message: "abc" } });
    // Another key is another entity.
    expect(await c.esProcess({ id: "es-state-other" })).toEqual({ ok: true, value: { message: "" } });
  });

  it("answers a failure with UNKNOWN and its description, persisting nothing", async () => {
    await c.esProcess(emitAll("es-fail", "x"));
    const failed = await c.esProcess({ id: "es-fail", actions: [{ action: { $case: "emit", value: { value: "lost" } } }, { action: { $case: "fail", value: { message: "refused by the model" } } }] });
    expect(failed).toEqual({ ok: false, code: status.UNKNOWN, details: "refused by the model" });
    expect(await c.esProcess({ id: "es-fail" })).toEqual({ ok: true, value: { message: "x" } });
  });

  it("forwards to EventSourcedTwo and answers with its reply", async () => {
    const before = await proxy.metric("cloudstate_proxy_commands_total", { ...EVENT_SOURCED_TWO, outcome: "ok" });
    const forwarded = await c.esProcess({ id: "es-forward", actions: [{ action: { $case: "emit", value: { value: "f" } } }, { action: { $case: "forward", value: { id: "two-1" } } }] });
    // EventSourcedTwo.Call replies with an empty Response, not the model's state "f".
    expect(forwarded).toEqual({ ok: true, value: { message: "" } });
    expect(await proxy.metric("cloudstate_proxy_commands_total", { ...EVENT_SOURCED_TWO, outcome: "ok" })).toBe(before + 1);
    // The forwarding command's event was persisted before the forward.
    expect(await c.esProcess({ id: "es-forward" })).toEqual({ ok: true, value: { message: "f" } });
  });

  it("performs a synchronous side effect before replying", async () => {
    const before = await proxy.metric("cloudstate_proxy_commands_total", { ...EVENT_SOURCED_TWO, outcome: "ok" });
    const answer = await c.esProcess({ id: "es-effect", actions: [{ action: { $case: "emit", value: { value: "s" } } }, { action: { $case: "effect", value: { id: "two-2", synchronous: true } } }] });
    expect(answer).toEqual({ ok: true, value: { message: "s" } });
    // Synchronous: done by the time the caller has its answer, not eventually.
    expect(await proxy.metric("cloudstate_proxy_commands_total", { ...EVENT_SOURCED_TWO, outcome: "ok" })).toBe(before + 1);
  });
});

describe("value entity", () => {
  it("updates, reads and deletes its value", async () => {
    const update = (value: string) => ({ action: { $case: "update" as const, value: { value } } });
    expect(await c.veProcess({ id: "ve-1", actions: [update("one")] })).toEqual({ ok: true, value: { message: "one" } });
    expect(await c.veProcess({ id: "ve-1" })).toEqual({ ok: true, value: { message: "one" } });
    expect(await c.veProcess({ id: "ve-1", actions: [update("two")] })).toEqual({ ok: true, value: { message: "two" } });
    expect(await c.veProcess({ id: "ve-1", actions: [{ action: { $case: "delete", value: {} } }] })).toEqual({ ok: true, value: { message: "" } });
    expect(await c.veProcess({ id: "ve-1" })).toEqual({ ok: true, value: { message: "" } });
    const failed = await c.veProcess({ id: "ve-1", actions: [update("three"), { action: { $case: "fail", value: { message: "no" } } }] });
    expect(failed).toEqual({ ok: false, code: status.UNKNOWN, details: "no" });
    expect(await c.veProcess({ id: "ve-1" })).toEqual({ ok: true, value: { message: "" } });
  });
});

const gcounter = (increment: number): tckModelCrdt.RequestAction => ({
  action: { $case: "update", value: { update: { $case: "gcounter", value: { increment: BigInt(increment) } }, writeConsistency: tckModelCrdt.UpdateWriteConsistency.LOCAL } },
});
const counterState = (value: number): tckModelCrdt.Response => ({ state: { value: { $case: "gcounter", value: { value: BigInt(value) } } } });

describe("CRDT entity", () => {
  it("increments a GCounter", async () => {
    expect(await c.crdtProcess({ id: "GCounter-inc", actions: [gcounter(2)] })).toEqual({ ok: true, value: counterState(2) });
    expect(await c.crdtProcess({ id: "GCounter-inc", actions: [gcounter(3)] })).toEqual({ ok: true, value: counterState(5) });
    expect(await c.crdtProcess({ id: "GCounter-inc" })).toEqual({ ok: true, value: counterState(5) });
  });

  it("adds to an ORSet", async () => {
    const add = (element: string): tckModelCrdt.RequestAction => ({
      action: { $case: "update", value: { update: { $case: "orset", value: { action: { $case: "add", value: element } } }, writeConsistency: tckModelCrdt.UpdateWriteConsistency.LOCAL } },
    });
    await c.crdtProcess({ id: "ORSet-1", actions: [add("b")] });
    const answer = await c.crdtProcess({ id: "ORSet-1", actions: [add("a"), add("c")] });
    expect(answer).toEqual({ ok: true, value: { state: { value: { $case: "orset", value: { elements: ["a", "b", "c"] } } } } });
  });

  it("streams to a ProcessStreamed caller the updates another call makes", async () => {
    await c.crdtProcess({ id: "GCounter-stream", actions: [gcounter(1)] });
    const reader = c.crdtProcessStreamed({ id: "GCounter-stream" });
    try {
      // The reply accepting the stream carries the current state.
      expect(await reader.waitForMessages(1)).toEqual([counterState(1)]);
      expect(await c.crdtProcess({ id: "GCounter-stream", actions: [gcounter(4)] })).toEqual({ ok: true, value: counterState(5) });
      expect((await reader.waitForMessages(2))[1]).toEqual(counterState(5));
    } finally {
      reader.stream.cancel();
    }
    expect(await reader.ended).toMatchObject({ code: status.CANCELLED });
  });

  it("ends a ProcessStreamed call with OK when its end state is reached", async () => {
    const reader = c.crdtProcessStreamed({ id: "GCounter-end", endState: counterState(3).state });
    expect(await reader.waitForMessages(1)).toEqual([counterState(0)]);
    await c.crdtProcess({ id: "GCounter-end", actions: [gcounter(3)] });
    expect(await reader.ended).toMatchObject({ code: status.OK });
    expect(reader.messages).toEqual([counterState(0), counterState(3)]);
  });

  it("tells the user function when a ProcessStreamed caller cancels", async () => {
    // The model applies cancel_update when told of the cancellation: the counter shows it happened.
    const reader = c.crdtProcessStreamed({ id: "GCounter-cancel", initialUpdate: { update: { $case: "gcounter", value: { increment: 1n } } }, cancelUpdate: { update: { $case: "gcounter", value: { increment: 10n } } } });
    expect(await reader.waitForMessages(1)).toEqual([counterState(1)]);
    reader.stream.cancel();
    expect(await reader.ended).toMatchObject({ code: status.CANCELLED });
    await waitFor(
      "the cancellation's update",
      async () => {
        const answer = await c.crdtProcess({ id: "GCounter-cancel" });
        return answer.ok && answer.value.state?.value?.$case === "gcounter" && answer.value.state.value.value.value === 11n;
      },
      5000,
      50,
    );
    // Nothing more arrives for the cancelled call.
    await sleep(50);
    expect(reader.messages).toHaveLength(1);
  });
});

describe("action", () => {
  const reply = (message: string) => ({ steps: [{ step: { $case: "reply" as const, value: { message } } }] });

  it("answers a unary call, a failure and a forward", async () => {
    expect(await c.actionUnary({ groups: [reply("hello")] })).toEqual({ ok: true, value: { message: "hello" } });
    const failed = await c.actionUnary({ groups: [{ steps: [{ step: { $case: "fail", value: { message: "action says no" } } }] }] });
    expect(failed).toEqual({ ok: false, code: status.UNKNOWN, details: "action says no" });
    const forwarded = await c.actionUnary({ groups: [{ steps: [{ step: { $case: "forward", value: { id: "other" } } }] }] });
    expect(forwarded).toEqual({ ok: true, value: { message: "" } });
  });

  it("answers a client-streamed call after all its messages", async () => {
    const answer = await c.actionStreamedIn([{ groups: [reply("first")] }, { groups: [reply("second")] }, { groups: [] }]);
    expect(answer).toEqual({ ok: true, value: { message: "second" } });
  });

  it("streams one response per group of a server-streamed call", async () => {
    const reader = c.actionStreamedOut({ groups: [reply("one"), reply("two"), reply("three")] });
    expect(await reader.ended).toMatchObject({ code: status.OK });
    expect(reader.messages).toEqual([{ message: "one" }, { message: "two" }, { message: "three" }]);
  });

  it("answers each message of a bidirectional call as it comes", async () => {
    const call = c.actionStreamed();
    call.write({ groups: [reply("a")] });
    expect(await call.reader.waitForMessages(1)).toEqual([{ message: "a" }]);
    call.write({ groups: [reply("b"), reply("c")] });
    expect(await call.reader.waitForMessages(3)).toEqual([{ message: "a" }, { message: "b" }, { message: "c" }]);
    call.end();
    expect(await call.reader.ended).toMatchObject({ code: status.OK });
  });
});

describe("bad requests", () => {
  const PROCESS = "/cloudstate.tck.model.EventSourcedTckModel/Process";
  // Field 1 (id, length-delimited) claiming 100 bytes where there are 2.
  const GARBAGE = Uint8Array.of(0x0a, 0x64, 0x61, 0x62);

  it("answers a request with an empty entity key with INVALID_ARGUMENT naming the key field", async () => {
    const answer = await c.esProcess({ id: "", actions: [{ action: { $case: "emit", value: { value: "x" } } }] });
    expect(answer).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    expect(answer.ok ? "" : answer.details).toContain("id");
    const crdt = await c.crdtProcess({ id: "" });
    expect(crdt).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
  });

  it("answers undecodable request bytes with INVALID_ARGUMENT", async () => {
    const answer = await rawUnaryOutcome(c.address, PROCESS, GARBAGE);
    expect(answer).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    expect(answer.ok ? "" : answer.details).toContain("cloudstate.tck.model.Request");
    const action = await rawUnaryOutcome(c.address, "/cloudstate.tck.model.action.ActionTckModel/ProcessUnary", GARBAGE);
    expect(action).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
  });

  it("answers an undecodable later message of a client stream with INVALID_ARGUMENT", async () => {
    const good = tckModelAction.Request.encode({ groups: [{ steps: [{ step: { $case: "reply", value: { message: "fine" } } }] }] }).finish();
    const answer = await rawClientStreamOutcome(c.address, "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedIn", [good, GARBAGE]);
    expect(answer).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
  });

  it("answers an unknown method or service with UNIMPLEMENTED naming it", async () => {
    const method = await rawUnaryOutcome(c.address, "/cloudstate.tck.model.EventSourcedTckModel/Nope", new Uint8Array());
    expect(method).toMatchObject({ ok: false, code: status.UNIMPLEMENTED });
    expect(method.ok ? "" : method.details).toContain("cloudstate.tck.model.EventSourcedTckModel/Nope");
    const service = await rawUnaryOutcome(c.address, "/no.such.Service/Process", new Uint8Array());
    expect(service).toMatchObject({ ok: false, code: status.UNIMPLEMENTED });
  });

  it("keeps serving after bad requests", async () => {
    expect(await c.esProcess(emitAll("after-bad", "ok"))).toEqual({ ok: true, value: { message: "ok" } });
  });
});
