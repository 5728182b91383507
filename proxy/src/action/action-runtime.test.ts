import { EventEmitter } from "node:events";
import { describe, expect, it } from "@jest/globals";
import { action, contractsDescriptorSetBytes, EntityType, tckModelAction } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { validateSpec } from "../discovery/spec-validation.js";
import type { MethodSpec } from "../discovery/user-spec.js";
import { EffectRunner } from "../effects/effect-runner.js";
import { type EntityContext, NO_METRICS } from "../entity/entity-context.js";
import type { CallError, ResponseStream } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import type { Store } from "../store/store.js";
import type { UserFunctionClient } from "../userfunction/user-function-client.js";
import { ActionRuntime } from "./action-runtime.js";

const ACTION = "cloudstate.tck.model.action.ActionTckModel";
const spec = validateSpec({
  proto: contractsDescriptorSetBytes(),
  entities: [{ entityType: EntityType.Action, serviceName: ACTION, persistenceId: "", passivationStrategy: undefined }],
  serviceInfo: undefined,
});
const service = spec.services.get(ACTION);
if (service === undefined) throw new Error(`${ACTION} missing from the spec`);

function methodNamed(name: string): MethodSpec {
  const method = service?.methods.get(name);
  if (method === undefined) throw new Error(`${ACTION}/${name} missing from the spec`);
  return method;
}

const responseBytes = (message: string) => tckModelAction.Response.encode({ message }).finish();

const encoded = (response: action.ActionResponse["response"]) => Buffer.from(action.ActionResponse.encode({ response, sideEffects: [] }).finish());
const reply = (message: string) =>
  encoded({ $case: "reply", value: { payload: { typeUrl: `type.googleapis.com/cloudstate.tck.model.action.Response`, value: responseBytes(message) }, metadata: undefined } });
const failure = (description: string) => encoded({ $case: "failure", value: { commandId: 0n, description, restart: false } });

/**
 * The user function's call as grpc-js gives it to the proxy, its events emitted in the order a
 * test chooses: grpc-js emits `status` as soon as it has it, possibly before the `data` of messages
 * still buffered, and `end` once every message was delivered.
 */
class FakeCall extends EventEmitter {
  cancelled = 0;
  write(): boolean {
    return true;
  }
  end(): void {
    // The request side is not what these tests look at.
  }
  cancel(): void {
    this.cancelled++;
  }
}

/** What the client of the proxy received. */
class RecordingStream implements ResponseStream {
  readonly sent: string[] = [];
  readonly ends: (CallError | undefined)[] = [];
  readonly caller = new AbortController();
  readonly cancelled = this.caller.signal;
  /** Makes the next send throw, as a broken transport might. */
  breakNextSend = false;
  send(payload: Uint8Array): void {
    if (this.breakNextSend) {
      this.breakNextSend = false;
      throw new Error("broken");
    }
    this.sent.push(tckModelAction.Response.decode(payload).message);
  }
  end(error?: CallError): void {
    this.ends.push(error);
  }
}

function runtimeWith(call: FakeCall): ActionRuntime {
  const userFunction = { bidi: () => call, serverStream: () => call } as unknown as UserFunctionClient;
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  // Replies and failures need no dispatcher: only forwards and side effects go through it.
  const effects = new EffectRunner(spec, {} as unknown as Dispatcher, quiet);
  const ctx: EntityContext = {
    spec,
    userFunction,
    store: {} as Store,
    effects,
    log: quiet,
    metrics: NO_METRICS,
    defaultPassivationTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    queueTimeoutMs: 1000,
    reportError: () => undefined,
  };
  return new ActionRuntime(ctx, service as NonNullable<typeof service>);
}

/** Lets every pending promise and timer of the runtime run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

type Event = ["data", Buffer] | ["status", status] | ["end"] | ["close"];
const data = (bytes: Buffer): Event => ["data", bytes];
const statusOf = (code: status): Event => ["status", code];
const END: Event = ["end"];

function emit(call: FakeCall, event: Event): void {
  if (event[0] === "data") call.emit("data", event[1]);
  else if (event[0] === "status") call.emit("status", { code: event[1], details: status[event[1]] });
  else call.emit(event[0]);
}

async function play(shape: "bidi" | "serverStream", batches: readonly (readonly Event[])[], out = new RecordingStream()): Promise<{ out: RecordingStream; call: FakeCall }> {
  const call = new FakeCall();
  const runtime = runtimeWith(call);
  const routed = { key: "", metadata: undefined, depth: 0 };
  if (shape === "bidi") runtime.bidi({ ...routed, method: methodNamed("ProcessStreamed") }, (async function* () {})(), out);
  else runtime.serverStream({ ...routed, method: methodNamed("ProcessStreamedOut"), payload: { typeUrl: "", value: new Uint8Array() } }, out);
  // Each batch is emitted in one tick, as grpc-js does when the messages and the status come together.
  for (const batch of batches) {
    for (const event of batch) emit(call, event);
    await settle();
  }
  return { out, call };
}

const A = data(reply("a"));
const FAIL = data(failure("stop here"));
const B = data(reply("b"));
const OK = statusOf(status.OK);

// spec/action.md ACT-16, ACT-23: `[reply a][fail][reply b]`, the user function completing its call
// right after the failure (ACT-42), in every order grpc-js may deliver those events.
const failureOrders: [string, Event[][]][] = [
  ["messages, end, status", [[A, FAIL, B, END, OK]]],
  ["messages, status, end", [[A, FAIL, B, OK, END]]],
  ["status before the failure", [[A, OK, FAIL, B, END]]],
  ["status before every message", [[OK, A, FAIL, B, END]]],
  ["status in a later tick", [[A, FAIL, B, END], [OK]]],
  ["failure and status in a later tick than the reply", [[A], [FAIL, OK, B, END]]],
];

describe.each(["bidi", "serverStream"] as const)("action runtime, %s call", (shape) => {
  it.each(failureOrders)("ends the caller's call once with the failure, whatever the order (%s)", async (_, batches) => {
    const { out, call } = await play(shape, batches);
    expect(out.sent).toEqual(["a"]);
    expect(out.ends).toEqual([{ code: status.UNKNOWN, message: "stop here" }]);
    expect(call.cancelled).toBeGreaterThan(0);
  });

  it.each([
    ["messages, end, status", [[A, B, END, OK]]],
    ["status before the last message", [[A, OK, B, END]]],
    ["status before every message", [[OK, A, B, END]]],
    ["status in a later tick", [[A, B, END], [OK]]],
  ] as [string, Event[][]][])("completes the caller's call with OK after every reply (%s)", async (_, batches) => {
    const { out, call } = await play(shape, batches);
    expect(out.sent).toEqual(["a", "b"]);
    expect(out.ends).toEqual([undefined]);
    expect(call.cancelled).toBe(0);
  });

  it("passes a status the user function chose on, after the replies before it (ACT-41)", async () => {
    const { out } = await play(shape, [[A, statusOf(status.FAILED_PRECONDITION), END]]);
    expect(out.sent).toEqual(["a"]);
    expect(out.ends).toEqual([{ code: status.FAILED_PRECONDITION, message: "FAILED_PRECONDITION" }]);
  });

  it("does not wait for the end of a call that is closed without one", async () => {
    const { out } = await play(shape, [[A, OK, ["close"]]]);
    expect(out.sent).toEqual(["a"]);
    expect(out.ends).toEqual([undefined]);
  });

  it("still ends the caller's call, and the user function's, when a response cannot be carried out", async () => {
    const broken = new RecordingStream();
    broken.breakNextSend = true;
    const { out, call } = await play(shape, [[A, B, OK, END]], broken);
    expect(out.sent).toEqual([]);
    expect(out.ends).toEqual([{ code: status.INTERNAL, message: expect.stringContaining("failed to carry out") }]);
    expect(call.cancelled).toBeGreaterThan(0);
  });

  it("cancels the user function's call when the caller goes, and sends nothing more (ACT-38)", async () => {
    const out = new RecordingStream();
    const { call } = await play(shape, [[A]], out);
    out.caller.abort();
    for (const event of [B, OK, END]) emit(call, event);
    await settle();
    expect(out.sent).toEqual(["a"]);
    expect(out.ends).toEqual([]);
    expect(call.cancelled).toBeGreaterThan(0);
  });
});
