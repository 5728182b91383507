import { describe, expect, it } from "@jest/globals";
import type { Any } from "@cloudstate/protocol";
import { MemoryStore } from "../store/memory-store.js";
import type { EventLogEntry } from "../store/store.js";
import { AppendNotifier, AppendNotifyingStore } from "./append-notifier.js";
import { EventLogSource } from "./event-log-source.js";
import type { SourcedEvent, Subscription } from "./event-source.js";

const PID = "log";
const GROUP = "g";
const ev = (name: string): Any => ({ typeUrl: `type.googleapis.com/t.${name}`, value: new Uint8Array() });

interface Fixture {
  readonly store: MemoryStore;
  /** The store the "entities" write through: it notifies the source. */
  readonly writer: AppendNotifyingStore;
  readonly source: EventLogSource;
  readonly warnings: string[];
}

function fixture(pollIntervalMs = 60_000, store = new MemoryStore()): Fixture {
  const appends = new AppendNotifier();
  const warnings: string[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
  return { store, writer: new AppendNotifyingStore(store, appends), source: new EventLogSource(store, PID, appends, { pollIntervalMs, log }), warnings };
}

/** Appends events named `names` to `entity`'s journal, continuing its sequence. */
async function emit(store: MemoryStore | AppendNotifyingStore, entity: string, ...names: string[]): Promise<void> {
  await store.append(PID, entity, await store.lastSequence(PID, entity), names.map(ev));
}

const ids = (events: readonly (SourcedEvent | undefined)[]) => events.map((e) => e?.cloudEvent.id);

/** The next event, or throws when the subscription is closed. */
async function next(subscription: Subscription): Promise<SourcedEvent> {
  const event = await subscription.next();
  if (event === undefined) throw new Error("the subscription is closed");
  return event;
}

describe("EventLogSource", () => {
  it("hands out every event of the log, in offset order, from the first when the group has no offset (EVT-7, EVT-23)", async () => {
    const f = fixture();
    await emit(f.store, "e1", "A", "B");
    await emit(f.store, "e2", "C");
    await emit(f.store, "e1", "D");
    const subscription = await f.source.subscribe(GROUP);
    const seen: SourcedEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const event = await next(subscription);
      seen.push(event);
      subscription.ack(event);
    }
    expect(ids(seen)).toEqual(["e1:1", "e1:2", "e2:1", "e1:3"]);
    expect(seen[2]?.cloudEvent).toMatchObject({ source: PID, type: "t.C", subject: "e2" });
    expect(seen.map((e) => e.offset)).toEqual([1n, 2n, 3n, 4n]);
    await subscription.close();
    expect(await f.store.loadOffset(GROUP, PID)).toBe(4n);
  });

  it("holds an entity's next event until the previous one is acknowledged, while other entities go on (EVT-19, EVT-24)", async () => {
    const f = fixture();
    await emit(f.store, "e1", "A", "B");
    await emit(f.store, "e2", "C");
    const subscription = await f.source.subscribe(GROUP);
    const first = await next(subscription);
    const other = await next(subscription);
    expect(ids([first, other])).toEqual(["e1:1", "e2:1"]);
    const pending = subscription.next();
    subscription.ack(other);
    subscription.ack(first);
    expect(ids([await pending])).toEqual(["e1:2"]);
    await subscription.close();
  });

  it("refuses an acknowledgement of an event that was not handed out", async () => {
    const f = fixture();
    await emit(f.store, "e1", "A", "B");
    const subscription = await f.source.subscribe(GROUP);
    const first = await next(subscription);
    subscription.ack(first);
    expect(() => subscription.ack(first)).toThrow(/not the event handed out/);
    await subscription.close();
  });

  it("stores the offset only below the first unacknowledged event (EVT-22), and a new subscription resumes after it (EVT-23)", async () => {
    const f = fixture();
    await emit(f.store, "e1", "A");
    await emit(f.store, "e2", "B");
    const s1 = await f.source.subscribe(GROUP);
    const a = await next(s1);
    const b = await next(s1);
    s1.ack(b);
    await s1.close();
    // e1:1 was never acknowledged: nothing can be stored, and both come again (at least once, EVT-20).
    expect(await f.store.loadOffset(GROUP, PID)).toBeUndefined();
    expect(ids([a, b])).toEqual(["e1:1", "e2:1"]);

    const s2 = await f.source.subscribe(GROUP);
    const again = [await next(s2), await next(s2)];
    expect(ids(again)).toEqual(["e1:1", "e2:1"]);
    const [first, second] = again;
    if (first === undefined || second === undefined) throw new Error("unreachable");
    s2.ack(first);
    await s2.close();
    // Acknowledged up to e1:1 only: stored at its offset.
    expect(await f.store.loadOffset(GROUP, PID)).toBe(1n);

    const s3 = await f.source.subscribe(GROUP);
    const third = await next(s3);
    expect(ids([third])).toEqual(["e2:1"]);
    s3.ack(third);
    await emit(f.writer, "e3", "C");
    const fourth = await next(s3);
    expect(ids([fourth])).toEqual(["e3:1"]);
    s3.ack(fourth);
    await s3.close();
    expect(await f.store.loadOffset(GROUP, PID)).toBe(3n);
  });

  it("keeps each consumer group's offset apart (EVT-21)", async () => {
    const f = fixture();
    await emit(f.store, "e1", "A");
    const one = await f.source.subscribe("one");
    const event = await next(one);
    one.ack(event);
    await one.close();
    const two = await f.source.subscribe("two");
    expect(ids([await next(two)])).toEqual(["e1:1"]);
    await two.close();
    expect(await f.store.loadOffset("one", PID)).toBe(1n);
    expect(await f.store.loadOffset("two", PID)).toBeUndefined();
  });

  it("is woken by an append through the notifying store, without waiting for a poll (EVT-9)", async () => {
    // A poll interval longer than the test's own timeout: only the notification can wake it.
    const f = fixture(600_000);
    const subscription = await f.source.subscribe(GROUP);
    const pending = subscription.next();
    await emit(f.writer, "e1", "A");
    expect(ids([await pending])).toEqual(["e1:1"]);
    await subscription.close();
  });

  it("finds events persisted without a notification (another writer) at the next poll (EVT-9)", async () => {
    const f = fixture(20);
    const subscription = await f.source.subscribe(GROUP);
    const pending = subscription.next();
    await emit(f.store, "e1", "A");
    expect(ids([await pending])).toEqual(["e1:1"]);
    await subscription.close();
  });

  it("ignores appends to other persistence ids and never hands out their events", async () => {
    const f = fixture(20);
    await f.writer.append("other", "x", 0n, [ev("X")]);
    await emit(f.store, "e1", "A");
    const subscription = await f.source.subscribe(GROUP);
    const event = await next(subscription);
    expect(ids([event])).toEqual(["e1:1"]);
    subscription.ack(event);
    await subscription.close();
    // Stored at the event's own global offset (the other id's event took offset 1).
    expect(await f.store.loadOffset(GROUP, PID)).toBe(2n);
  });

  it("retries a read that failed, and logs it", async () => {
    class FlakyStore extends MemoryStore {
      failures = 1;
      override readEventLog(persistenceId: string, afterOffset: bigint, limit: number): Promise<EventLogEntry[]> {
        if (this.failures-- > 0) return Promise.reject(new Error("database away"));
        return super.readEventLog(persistenceId, afterOffset, limit);
      }
    }
    const f = fixture(20, new FlakyStore());
    await emit(f.store, "e1", "A");
    const subscription = await f.source.subscribe(GROUP);
    expect(ids([await next(subscription)])).toEqual(["e1:1"]);
    expect(f.warnings).toEqual(["reading the event log failed; retrying"]);
    await subscription.close();
  });

  it("reads a long log in batches, never more than allowed ahead of the acknowledgements", async () => {
    const appends = new AppendNotifier();
    const store = new MemoryStore();
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const source = new EventLogSource(store, PID, appends, { pollIntervalMs: 60_000, log, batchSize: 3, maxOutstanding: 4 });
    for (let i = 0; i < 10; i++) await emit(store, `e${i}`, "A");
    const subscription = await source.subscribe(GROUP);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const event = await next(subscription);
      seen.push(event.cloudEvent.id);
      subscription.ack(event);
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}:1`));
    await subscription.close();
    expect(await store.loadOffset(GROUP, PID)).toBe(10n);
  });

  it("waits for an acknowledgement when as many events as allowed are outstanding, without spinning", async () => {
    const appends = new AppendNotifier();
    const store = new MemoryStore();
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const source = new EventLogSource(store, PID, appends, { pollIntervalMs: 60_000, log, maxOutstanding: 2 });
    for (const entity of ["a", "b", "c"]) await emit(store, entity, "A");
    const subscription = await source.subscribe(GROUP);
    const first = await next(subscription);
    await next(subscription);
    const pending = subscription.next();
    // A timer only fires if the subscription leaves the event loop alone meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 10));
    subscription.ack(first);
    expect(ids([await pending])).toEqual(["c:1"]);
    await subscription.close();
  });

  it("ends a pending next() when closed", async () => {
    const f = fixture();
    const subscription = await f.source.subscribe(GROUP);
    const pending = subscription.next();
    await subscription.close();
    expect(await pending).toBeUndefined();
  });
});
