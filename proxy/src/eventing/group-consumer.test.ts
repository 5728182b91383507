import { afterEach, describe, expect, it } from "@jest/globals";
import { create, toBinary } from "@bufbuild/protobuf";
import { type Any, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { eventingEntitySpec, fromEventLog } from "../../test/support/eventing-descriptors.js";
import { waitFor } from "../../test/support/wait.js";
import { validateSpec } from "../discovery/spec-validation.js";
import type { ConsumerGroupSpec } from "../discovery/user-spec.js";
import { fail, ok, type ResponseStream, type UnaryResult } from "../routing/call-result.js";
import { Dispatcher } from "../routing/dispatcher.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";
import { MemoryStore } from "../store/memory-store.js";
import { AppendNotifier, AppendNotifyingStore } from "./append-notifier.js";
import { EventDelivery } from "./event-delivery.js";
import { EventLogSource } from "./event-log-source.js";
import { GroupConsumer, retryDelayMs } from "./group-consumer.js";

const PID = "p";
const spec = validateSpec(
  eventingEntitySpec([
    {
      name: "Sub",
      methods: [
        { name: "OnA", input: "t.A", eventing: fromEventLog(PID) },
        { name: "OnB", input: "t.B", eventing: fromEventLog(PID), serverStreaming: true },
      ],
    },
    { name: "AnySub", methods: [{ name: "OnAny", input: "google.protobuf.Any", eventing: fromEventLog(PID) }] },
    { name: "Ent", entityType: EntityType.EventSourced, persistenceId: "ent", methods: [{ name: "OnA", input: "t.A", eventing: fromEventLog(PID) }] },
  ]),
);

function group(service: string): ConsumerGroupSpec {
  const found = spec.consumerGroups?.find((g) => g.service.name === service);
  if (found === undefined) throw new Error(`no group of ${service}`);
  return found;
}

/** A protobuf event of type t.A or t.B with the given id. */
function message(type: "t.A" | "t.B", id: string): Any {
  const desc = spec.registry.getMessage(type);
  if (desc === undefined) throw new Error(`no ${type}`);
  return { typeUrl: `type.googleapis.com/${type}`, value: toBinary(desc, create(desc, { id })) };
}

/** A service runtime that records the calls it gets and answers as told. */
class FakeRuntime implements ServiceHandler {
  readonly calls: RoutedCall[] = [];
  constructor(private readonly answer: (call: RoutedCall, attempt: number) => UnaryResult) {}

  private respond(call: RoutedCall): UnaryResult {
    this.calls.push(call);
    const attempt = this.calls.filter((c) => c.method === call.method && ceId(c) === ceId(call)).length;
    return this.answer(call, attempt);
  }

  unary(call: RoutedCall): Promise<Answer> {
    return Promise.resolve({ result: this.respond(call), afterReply: NOTHING_AFTER });
  }
  serverStream(call: RoutedCall, out: ResponseStream): void {
    const result = this.respond(call);
    if (result.ok) {
      out.send(result.payload, undefined);
      out.end();
    } else out.end(result.error);
  }
  clientStream(): Promise<Answer> {
    throw new Error("not used");
  }
  bidi(): void {
    throw new Error("not used");
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function ceId(call: RoutedCall): string | undefined {
  const entry = call.metadata?.entries.find((e) => e.key === "ce-id");
  return entry?.value?.$case === "stringValue" ? entry.value.value : undefined;
}

const OK = () => ok(new Uint8Array());
const consumers: GroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});

/** A consumer of `service`'s group over a memory store, with a fake runtime for every service. */
function setup(service: string, answer: (call: RoutedCall, attempt: number) => UnaryResult = OK) {
  const store = new MemoryStore();
  const appends = new AppendNotifier();
  const writer = new AppendNotifyingStore(store, appends);
  const dispatcher = new Dispatcher(8);
  const runtime = new FakeRuntime(answer);
  for (const name of spec.services.keys()) dispatcher.register(name, runtime);
  const reports: string[] = [];
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }), error: () => undefined };
  const source = new EventLogSource(store, PID, appends, { pollIntervalMs: 60_000, log });
  const consumer = new GroupConsumer(group(service), source, {
    delivery: new EventDelivery(dispatcher, 1000),
    retry: { minMs: 5, maxMs: 20 },
    log,
    metrics: { delivered: () => undefined, deliveryFailed: () => undefined, skipped: () => undefined, offsetStored: () => undefined },
    reportError: (m) => reports.push(m),
  });
  consumers.push(consumer);
  const emit = async (entity: string, ...events: Any[]) => writer.append(PID, entity, await writer.lastSequence(PID, entity), events);
  return { store, runtime, consumer, reports, warnings, emit };
}

const delivered = (calls: readonly RoutedCall[]) => calls.map((c) => `${c.method.name} ${ceId(c) ?? ""}`);

describe("GroupConsumer", () => {
  it("delivers each event once to the method taking its type, with its CloudEvent metadata, and stores the offset (EVT-11, EVT-15, EVT-17)", async () => {
    const t = setup("t.Sub");
    await t.emit("e1", message("t.A", "x"), message("t.B", "y"));
    t.consumer.start();
    await waitFor("two deliveries", () => t.runtime.calls.length === 2);
    expect(delivered(t.runtime.calls)).toEqual(["OnA e1:1", "OnB e1:2"]);
    const [first] = t.runtime.calls;
    expect(first?.key).toBe("");
    expect(first?.payload).toEqual({ typeUrl: "type.googleapis.com/t.A", value: message("t.A", "x").value });
    expect(first?.metadata?.entries.map((e) => e.key)).toEqual(["ce-specversion", "ce-id", "ce-source", "ce-type", "ce-subject", "ce-time"]);
    await t.consumer.stop();
    expect(await t.store.loadOffset("t.Sub", PID)).toBe(2n);
    expect(t.runtime.calls).toHaveLength(2);
  });

  it("retries a failed delivery with the same call, holds the entity's later events, and lets other entities go on (EVT-19, EVT-24, EVT-25, EVT-30)", async () => {
    const t = setup("t.Sub", (call, attempt) => (ceId(call) === "e1:1" && attempt <= 2 ? fail(status.UNAVAILABLE, "down") : OK()));
    await t.emit("e1", message("t.A", "1"), message("t.A", "2"));
    await t.emit("e2", message("t.A", "3"));
    t.consumer.start();
    await waitFor("five deliveries", () => t.runtime.calls.length === 5);
    const order = delivered(t.runtime.calls);
    expect(order.filter((c) => c.endsWith("e1:1"))).toHaveLength(3);
    // e1:2 only after e1:1 succeeded (its third attempt); e2:1 did not wait for e1.
    expect(order.indexOf("OnA e1:2")).toBeGreaterThan(order.lastIndexOf("OnA e1:1"));
    expect(order.indexOf("OnA e2:1")).toBeLessThan(order.lastIndexOf("OnA e1:1"));
    const attempts = t.runtime.calls.filter((c) => ceId(c) === "e1:1");
    expect(attempts.map((c) => c.metadata)).toEqual(attempts.map(() => attempts[0]?.metadata));
    expect(attempts.map((c) => c.payload)).toEqual(attempts.map(() => attempts[0]?.payload));
    // EVT-27: each failure is logged with the method, the source, the entity and the sequence.
    expect(t.warnings.filter((w) => w.message.startsWith("event delivery failed")).map((w) => [w.fields?.["method"], w.fields?.["source"], w.fields?.["entityId"], w.fields?.["sequence"]])).toEqual([
      ["/t.Sub/OnA", PID, "e1", "1"],
      ["/t.Sub/OnA", PID, "e1", "1"],
    ]);
    await t.consumer.stop();
    expect(await t.store.loadOffset("t.Sub", PID)).toBe(3n);
  });

  it("treats a failed streamed delivery as failed and retries it", async () => {
    const t = setup("t.Sub", (call, attempt) => (call.method.name === "OnB" && attempt === 1 ? fail(status.UNKNOWN, "no") : OK()));
    await t.emit("e1", message("t.B", "1"));
    t.consumer.start();
    await waitFor("the retry", () => t.runtime.calls.length === 2);
    expect(delivered(t.runtime.calls)).toEqual(["OnB e1:1", "OnB e1:1"]);
  });

  it("does not move the stored offset past an event still failing when stopped (EVT-22)", async () => {
    const t = setup("t.Sub", (call) => (ceId(call) === "e1:1" ? fail(status.UNAVAILABLE, "down") : OK()));
    await t.emit("e2", message("t.A", "0"));
    await t.emit("e1", message("t.A", "1"));
    await t.emit("e3", message("t.A", "2"));
    t.consumer.start();
    await waitFor("e3 delivered", () => delivered(t.runtime.calls).includes("OnA e3:1"));
    await t.consumer.stop();
    expect(await t.store.loadOffset("t.Sub", PID)).toBe(1n);
  });

  it("gives a method taking Any the event's own Any, JSON included (EVT-12, EVT-13)", async () => {
    const t = setup("t.AnySub");
    const json: Any = { typeUrl: "json.cloudstate.io/Thing", value: Uint8Array.of(0x0a, 0x02, 0x7b, 0x7d) };
    await t.emit("e1", json, message("t.A", "x"));
    t.consumer.start();
    await waitFor("two deliveries", () => t.runtime.calls.length === 2);
    expect(t.runtime.calls.map((c) => c.payload)).toEqual([json, message("t.A", "x")]);
    expect(t.runtime.calls.map((c) => c.metadata?.entries.find((e) => e.key === "ce-type")?.value?.value)).toEqual(["Thing", "t.A"]);
  });

  it("delivers to an entity subscriber under the key computed from the event (EVT-15)", async () => {
    const t = setup("t.Ent");
    await t.emit("emitter", message("t.A", "target-key"));
    t.consumer.start();
    await waitFor("the delivery", () => t.runtime.calls.length === 1);
    expect(t.runtime.calls[0]?.key).toBe("target-key");
  });

  it("skips, counts as processed and reports once per type what no method can receive (EVT-14)", async () => {
    const t = setup("t.Sub");
    const json: Any = { typeUrl: "json.cloudstate.io/Thing", value: new Uint8Array() };
    await t.emit("e1", json, json, { typeUrl: "type.googleapis.com/t.C", value: new Uint8Array() }, message("t.A", "x"));
    t.consumer.start();
    await waitFor("the receivable event", () => t.runtime.calls.length === 1);
    expect(delivered(t.runtime.calls)).toEqual(["OnA e1:4"]);
    expect(t.reports).toHaveLength(2);
    expect(t.reports[0]).toContain("EVT-14: consumer group t.Sub of event log p skipped event e1:1 of type json.cloudstate.io/Thing");
    expect(t.reports[1]).toContain("skipped event e1:3 of type type.googleapis.com/t.C");
    await t.consumer.stop();
    expect(await t.store.loadOffset("t.Sub", PID)).toBe(4n);
  });

  it("skips an event addressed to an entity method whose key is empty (EVT-14)", async () => {
    const t = setup("t.Ent");
    await t.emit("emitter", message("t.A", ""), message("t.A", "k"));
    t.consumer.start();
    await waitFor("the keyed event", () => t.runtime.calls.length === 1);
    expect(t.runtime.calls[0]?.key).toBe("k");
    expect(t.reports).toHaveLength(1);
    expect(t.reports[0]).toContain("skipped event emitter:1");
  });

  it("waits at stop for the delivery in flight and stores its offset", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = setup("t.Sub");
    const dispatcherCalls = t.runtime.calls;
    // Replace the unary answer by one that waits for the gate.
    const unary = t.runtime.unary.bind(t.runtime);
    t.runtime.unary = async (call) => {
      const answer = await unary(call);
      await gate;
      return answer;
    };
    await t.emit("e1", message("t.A", "x"));
    t.consumer.start();
    await waitFor("the delivery to start", () => dispatcherCalls.length === 1);
    const stopping = t.consumer.stop();
    release();
    await stopping;
    expect(await t.store.loadOffset("t.Sub", PID)).toBe(1n);
  });
});

describe("retryDelayMs", () => {
  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [6, 5000],
    [100, 5000],
  ])("waits before retry %i: %i ms (doubling up to the maximum, EVT-25)", (attempt, delay) => {
    expect(retryDelayMs({ minMs: 200, maxMs: 5000 }, attempt)).toBe(delay);
  });
});
