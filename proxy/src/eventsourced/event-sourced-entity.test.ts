import { EventEmitter } from "node:events";
import { describe, expect, it } from "@jest/globals";
import { type Any, contractsDescriptorSetBytes, EntityType, eventsourced, tckModelEventSourced as model } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { validateSpec } from "../discovery/spec-validation.js";
import { findMethod } from "../discovery/user-spec.js";
import { EffectRunner } from "../effects/effect-runner.js";
import { type EntityContext, NO_METRICS } from "../entity/entity-context.js";
import { Dispatcher } from "../routing/dispatcher.js";
import type { Answer } from "../routing/service-handler.js";
import { MemoryStore } from "../store/memory-store.js";
import type { UserFunctionClient } from "../userfunction/user-function-client.js";
import { EventSourcedEntity } from "./event-sourced-entity.js";

const SERVICE = "cloudstate.tck.model.EventSourcedTckModel";
const spec = validateSpec({
  proto: contractsDescriptorSetBytes(),
  entities: [{ entityType: EntityType.EventSourced, serviceName: SERVICE, persistenceId: "es", passivationStrategy: undefined }],
  serviceInfo: undefined,
});
const method = findMethod(spec, SERVICE, "Process");
if (method === undefined) throw new Error("no EventSourcedTckModel.Process");
const processMethod = method;

/** The proxy's side of an entity stream: what the entity writes, and a way to answer. */
class FakeStream extends EventEmitter {
  readonly written: eventsourced.EventSourcedStreamIn[] = [];
  halfClosed = false;
  private sinceDrain = 0;

  /**
   * @param completesOnHalfClose whether the "user function" completes the stream when the proxy half-closes it
   * @param highWaterMark after this many writes without a drain, a write asks the writer to wait
   */
  constructor(
    private readonly completesOnHalfClose: boolean,
    private readonly highWaterMark = Infinity,
  ) {
    super();
  }

  write(bytes: Buffer): boolean {
    return this.writeBatch([bytes]);
  }
  /** One write of the stream, as DuplexCall.writeBatch: counts once against the high-water mark. */
  writeBatch(messages: readonly Buffer[]): boolean {
    for (const bytes of messages) this.written.push(eventsourced.EventSourcedStreamIn.decode(bytes));
    this.sinceDrain++;
    this.emit("written");
    return this.sinceDrain < this.highWaterMark;
  }
  drain(): void {
    this.sinceDrain = 0;
    this.emit("drain");
  }
  end(): void {
    this.halfClosed = true;
    this.emit("half-closed");
    if (this.completesOnHalfClose) this.emit("status", { code: status.OK, details: "" });
  }
  cancel(): void {
    this.emit("status", { code: status.CANCELLED, details: "" });
  }
  answer(message: eventsourced.EventSourcedStreamOut): void {
    this.emit("data", Buffer.from(eventsourced.EventSourcedStreamOut.encode(message).finish()));
  }
}

/** A memory store whose appends wait until released. */
class GatedStore extends MemoryStore {
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open();
  }
  override async append(persistenceId: string, entityId: string, expected: bigint, events: readonly Any[], snapshot?: Any): Promise<void> {
    await this.gate;
    return super.append(persistenceId, entityId, expected, events, snapshot);
  }
}

const persisted = (value: string): Any => ({ typeUrl: `type.googleapis.com/${model.Persisted.$type}`, value: model.Persisted.encode({ value }).finish() });
const response = (message: string): Any => ({ typeUrl: `type.googleapis.com/${model.Response.$type}`, value: model.Response.encode({ message }).finish() });

function setUp(commandTimeoutMs: number, options: { passivationTimeoutMs?: number; completesOnHalfClose?: boolean; highWaterMark?: number } = {}) {
  const streams: FakeStream[] = [];
  const store = new GatedStore();
  const reports: string[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const ctx: EntityContext = {
    spec,
    userFunction: {
      ready: () => Promise.resolve(true),
      entityStream: () => {
        const stream = new FakeStream(options.completesOnHalfClose ?? true, options.highWaterMark);
        streams.push(stream);
        return stream;
      },
    } as unknown as UserFunctionClient,
    store,
    effects: new EffectRunner(spec, new Dispatcher(32), log),
    log,
    metrics: NO_METRICS,
    defaultPassivationTimeoutMs: 60_000,
    commandTimeoutMs,
    queueTimeoutMs: 1000,
    reportError: (message) => reports.push(message),
  };
  const entity = new EventSourcedEntity(ctx, SERVICE, "k", options.passivationTimeoutMs ?? 60_000, () => undefined);
  const call = (): Promise<Answer> =>
    entity.handle({ method: processMethod, key: "k", payload: { typeUrl: processMethod.inputTypeUrl, value: model.Request.encode({ id: "k", actions: [] }).finish() }, metadata: undefined, depth: 0 });
  return { streams, store, reports, call };
}

/** The id of the first command written on `stream`, once it is written. */
function nextCommand(stream: FakeStream): Promise<bigint> {
  return new Promise((resolve) => {
    const check = () => {
      const command = stream.written.find((m) => m.message?.$case === "command");
      if (command?.message?.$case === "command") {
        stream.off("written", check);
        resolve(command.message.value.id);
      }
    };
    stream.on("written", check);
    check();
  });
}

describe("EventSourcedEntity command timeout", () => {
  it("does not time out a command whose answer arrived in time while its events are being written (FO-6)", async () => {
    const { streams, store, reports, call } = setUp(30);
    const answered = call();
    await new Promise((resolve) => setImmediate(resolve));
    const stream = streams[0];
    if (stream === undefined) throw new Error("no stream opened");
    const id = await nextCommand(stream);
    store.hold();
    stream.answer({
      message: { $case: "reply", value: { commandId: id, clientAction: { action: { $case: "reply", value: { payload: response("b"), metadata: undefined } } }, sideEffects: [], events: [persisted("b")], snapshot: undefined } },
    });
    // Well past the command timeout while the write is held.
    await new Promise((resolve) => setTimeout(resolve, 120));
    store.release();
    const answer = await answered;
    expect(answer.result).toEqual({ ok: true, payload: response("b").value, metadata: undefined });
    expect(await store.loadEvents("es", "k", 0n)).toHaveLength(1);
    expect(streams).toHaveLength(1);
    expect(reports).toEqual([]);
  });

  it("still times out a command the user function does not answer", async () => {
    const { streams, call } = setUp(30);
    const answered = call();
    await new Promise((resolve) => setImmediate(resolve));
    const stream = streams[0];
    if (stream === undefined) throw new Error("no stream opened");
    await nextCommand(stream);
    const answer = await answered;
    expect(answer.result).toMatchObject({ ok: false, error: { code: status.DEADLINE_EXCEEDED } });
  });
});

/** Answers the first command of `stream` with an empty reply. */
async function answerFirstCommand(stream: FakeStream): Promise<void> {
  const commandId = await nextCommand(stream);
  stream.answer({
    message: { $case: "reply", value: { commandId, clientAction: { action: { $case: "reply", value: { payload: response(""), metadata: undefined } } }, sideEffects: [], events: [], snapshot: undefined } },
  });
}

async function opened(streams: readonly FakeStream[], index: number): Promise<FakeStream> {
  for (let i = 0; i < 100 && streams[index] === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const stream = streams[index];
  if (stream === undefined) throw new Error(`stream ${index} was never opened`);
  return stream;
}

describe("EventSourcedEntity passivation", () => {
  it("cancels a passivated stream the user function does not complete, and serves the next command on a new one (PASS-17, PASS-18)", async () => {
    const { streams, call } = setUp(30, { passivationTimeoutMs: 10, completesOnHalfClose: false });
    const first = call();
    const stream = await opened(streams, 0);
    await answerFirstCommand(stream);
    expect((await first).result.ok).toBe(true);
    await new Promise((resolve) => (stream.halfClosed ? resolve(undefined) : stream.once("half-closed", resolve)));
    const second = call();
    await answerFirstCommand(await opened(streams, 1));
    expect((await second).result.ok).toBe(true);
  });
});

/** Lets pending promise jobs and immediates run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe("EventSourcedEntity replay", () => {
  // 200 events of ~2 KB: several batched writes of the stream (the proxy sends ~64 KB per write).
  const journal = Array.from({ length: 200 }, (_, i) => persisted(`e${i + 1}:${"x".repeat(2000)}`));

  it("writes a long replay only as fast as the stream drains, and the command after it (ES-7)", async () => {
    const { streams, store, call } = setUp(10_000, { highWaterMark: 2 });
    await store.append("es", "k", 0n, journal);
    const answered = call();
    const stream = await opened(streams, 0);
    await settle();
    // Two writes, then it waits for the drain: part of the replay, not all of it.
    const beforeDrain = stream.written.length;
    expect(beforeDrain).toBeGreaterThan(1);
    expect(beforeDrain).toBeLessThan(1 + journal.length);
    await settle();
    expect(stream.written).toHaveLength(beforeDrain);
    while (!stream.written.some((m) => m.message?.$case === "command")) {
      stream.drain();
      await settle();
    }
    const cases = stream.written.map((m) => m.message?.$case);
    expect(cases).toEqual(["init", ...journal.map(() => "event"), "command"]);
    const events = stream.written.flatMap((m) => (m.message?.$case === "event" ? [m.message.value] : []));
    expect(events).toEqual(journal.map((payload, i) => ({ sequence: BigInt(i + 1), payload })));
    await answerFirstCommand(stream);
    expect((await answered).result.ok).toBe(true);
  });

  it("stops writing a replay to a stream that broke while it waited, and replays on a new one", async () => {
    const { streams, store, call } = setUp(10_000, { highWaterMark: 2 });
    await store.append("es", "k", 0n, journal);
    const answered = call();
    const first = await opened(streams, 0);
    await settle();
    const beforeBreak = first.written.length;
    expect(beforeBreak).toBeLessThan(1 + journal.length);
    first.emit("status", { code: status.UNAVAILABLE, details: "user function crashed" });
    first.drain();
    const second = await opened(streams, 1);
    await settle();
    expect(first.written).toHaveLength(beforeBreak);
    while (!second.written.some((m) => m.message?.$case === "command")) {
      second.drain();
      await settle();
    }
    expect(first.written).toHaveLength(beforeBreak);
    expect(second.written).toHaveLength(1 + journal.length + 1);
    await answerFirstCommand(second);
    expect((await answered).result.ok).toBe(true);
  });
});
