import { describe, expect, it } from "@jest/globals";
import { type Any, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { ServiceSpec } from "../discovery/user-spec.js";
import { type CallError, ok, type ResponseStream } from "../routing/call-result.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";
import { gateHandler } from "./serving-gate.js";
import { UserFunctionConnection } from "./user-function-connection.js";

/** A runtime that answers every call OK and records what reached it. */
class RecordingHandler implements ServiceHandler {
  readonly reached: string[] = [];
  unary(): Promise<Answer> {
    this.reached.push("unary");
    return Promise.resolve({ result: ok(new Uint8Array()), afterReply: NOTHING_AFTER });
  }
  serverStream(_call: RoutedCall, out: ResponseStream): void {
    this.reached.push("serverStream");
    out.end();
  }
  clientStream(): Promise<Answer> {
    this.reached.push("clientStream");
    return Promise.resolve({ result: ok(new Uint8Array()), afterReply: NOTHING_AFTER });
  }
  bidi(_call: Omit<RoutedCall, "payload">, _requests: AsyncIterable<Any>, out: ResponseStream): void {
    this.reached.push("bidi");
    out.end();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const service = (entityType: EntityType): ServiceSpec => ({ name: "test.S", entityType, persistenceId: "p", passivationTimeoutMs: undefined, methods: new Map(), descriptor: undefined as never });
const call = { method: undefined as never, key: "k", payload: { typeUrl: "", value: new Uint8Array() }, metadata: undefined, depth: 0 } satisfies RoutedCall;

/** A response stream that records how it ended. */
function stream(): { out: ResponseStream; ended: Promise<CallError | undefined> } {
  let end: (error: CallError | undefined) => void = () => undefined;
  const ended = new Promise<CallError | undefined>((resolve) => (end = resolve));
  return { out: { send: () => undefined, end: (error) => end(error), cancelled: new AbortController().signal }, ended };
}

async function* noRequests(): AsyncIterable<Any> {
  // No client messages.
}

function codeOf(answer: Answer): status {
  return answer.result.ok ? status.OK : answer.result.error.code;
}

describe("gateHandler", () => {
  it("passes every call on while serving", async () => {
    const connection = new UserFunctionConnection();
    connection.serve(connection.losses);
    const inner = new RecordingHandler();
    const gate = gateHandler(inner, service(EntityType.Action), { connection, queueTimeoutMs: 1000 });
    expect(codeOf(await gate.unary(call))).toBe(status.OK);
    expect(codeOf(await gate.clientStream(call, noRequests()))).toBe(status.OK);
    const s = stream();
    gate.bidi(call, noRequests(), s.out);
    expect(await s.ended).toBeUndefined();
    expect(inner.reached).toEqual(["unary", "clientStream", "bidi"]);
  });

  it.each([EntityType.Action, EntityType.EventSourced])("fails every %s call UNAVAILABLE at once while the spec is refused (FO-23)", async (type) => {
    const connection = new UserFunctionConnection();
    connection.serve(connection.losses);
    connection.refuse("different spec");
    const inner = new RecordingHandler();
    const gate = gateHandler(inner, service(type), { connection, queueTimeoutMs: 60_000 });
    expect(codeOf(await gate.unary(call))).toBe(status.UNAVAILABLE);
    expect(codeOf(await gate.clientStream(call, noRequests()))).toBe(status.UNAVAILABLE);
    const s = stream();
    gate.serverStream(call, s.out);
    expect(await s.ended).toMatchObject({ code: status.UNAVAILABLE });
    expect(inner.reached).toEqual([]);
  });

  it("holds an action call while the user function is discovered again, then passes it on (FO-21)", async () => {
    const connection = new UserFunctionConnection();
    connection.serve(connection.losses);
    connection.lost("gone");
    const inner = new RecordingHandler();
    const gate = gateHandler(inner, service(EntityType.Action), { connection, queueTimeoutMs: 60_000 });
    const answer = gate.unary(call);
    await new Promise((resolve) => setImmediate(resolve));
    expect(inner.reached).toEqual([]);
    connection.serve(connection.losses);
    expect(codeOf(await answer)).toBe(status.OK);
    expect(inner.reached).toEqual(["unary"]);
  });

  it("fails a held action call UNAVAILABLE when the spec found is refused", async () => {
    const connection = new UserFunctionConnection();
    connection.serve(connection.losses);
    connection.lost("gone");
    const inner = new RecordingHandler();
    const gate = gateHandler(inner, service(EntityType.Action), { connection, queueTimeoutMs: 60_000 });
    const s = stream();
    gate.bidi(call, noRequests(), s.out);
    connection.refuse("invalid spec");
    expect(await s.ended).toMatchObject({ code: status.UNAVAILABLE });
    expect(inner.reached).toEqual([]);
  });

  it("passes an entity command on while recovering: the entity's queue waits for the discovery", () => {
    const connection = new UserFunctionConnection();
    connection.serve(connection.losses);
    connection.lost("gone");
    const inner = new RecordingHandler();
    const gate = gateHandler(inner, service(EntityType.ValueEntity), { connection, queueTimeoutMs: 60_000 });
    void gate.unary(call);
    // Synchronously, so that commands reach their entity in the order they came.
    expect(inner.reached).toEqual(["unary"]);
  });
});
