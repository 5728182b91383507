// The behaviour every Store backend must show, as one jest suite run against each backend.
// Every test uses fresh persistence ids, so backends may share one database across tests.

import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { randomUUID } from "node:crypto";
import type { Any } from "@cloudstate/protocol";
import { ConcurrencyError, StoreUnavailableError, type Store, type StoredEvent } from "../../src/store/index.js";

/** How the contract reaches a backend. */
export interface StoreHarness<S extends Store = Store> {
  /** Opens a store; the suite opens one per test and closes it afterwards. */
  readonly open: () => Promise<S>;
  /** Transactions committed so far by `store`, for backends that batch writes. */
  readonly commits?: (store: S) => number;
  /**
   * Makes the journal of (persistenceId, entityId) end at `lastSequence` with one event, as
   * data imported from elsewhere could; for checking int64 sequences beyond 2^53, which a
   * test cannot reach by appending.
   */
  readonly seedJournal?: (persistenceId: string, entityId: string, lastSequence: bigint, event: Any) => Promise<void>;
}

const encoder = new TextEncoder();

/** A test payload; `name` becomes both the type and the bytes so mix-ups show. */
export function payload(name: string): Any {
  return { typeUrl: `type.googleapis.com/test.${name.replace(/[^A-Za-z0-9]/g, "_")}`, value: encoder.encode(name) };
}

function payloads(...names: string[]): Any[] {
  return names.map(payload);
}

/** Just the StoredEvent fields: a backend may return richer objects (MemoryStore shares its event-log entries). */
function plain(events: readonly StoredEvent[]): StoredEvent[] {
  return events.map(({ sequence, payload }) => ({ sequence, payload }));
}

/** Registers the contract suite for one backend. */
export function describeStoreContract<S extends Store>(name: string, harness: StoreHarness<S>): void {
  describe(`Store contract: ${name}`, () => {
    let store: S;
    let pid: string;

    beforeEach(async () => {
      store = await harness.open();
      pid = `pid-${randomUUID()}`;
    });

    afterEach(async () => {
      await store.close();
    });

    it("has nothing for an entity never written", async () => {
      expect(await store.lastSequence(pid, "e")).toBe(0n);
      expect(await store.loadEvents(pid, "e", 0n)).toEqual([]);
      expect(await store.loadSnapshot(pid, "e")).toBeUndefined();
      expect(await store.loadValue(pid, "e")).toBeUndefined();
      expect(await store.readEventLog(pid, 0n, 10)).toEqual([]);
    });

    it("appends events with consecutive sequences and loads them in order", async () => {
      await store.append(pid, "e", 0n, payloads("a", "b", "c"));
      await store.append(pid, "e", 3n, payloads("d", "e"));
      const events = await store.loadEvents(pid, "e", 0n);
      expect(events.map((e) => e.sequence)).toEqual([1n, 2n, 3n, 4n, 5n]);
      expect(events.map((e) => e.payload)).toEqual(payloads("a", "b", "c", "d", "e"));
      expect(await store.lastSequence(pid, "e")).toBe(5n);
    });

    it.each([
      [0n, [1n, 2n, 3n, 4n]],
      [2n, [3n, 4n]],
      [3n, [4n]],
      [4n, []],
      [10n, []],
      [-1n, [1n, 2n, 3n, 4n]],
    ])("loads the events after sequence %p", async (after, expected) => {
      await store.append(pid, "e", 0n, payloads("a", "b"));
      await store.append(pid, "e", 2n, payloads("c", "d"));
      const events = await store.loadEvents(pid, "e", after);
      expect(events.map((e) => e.sequence)).toEqual(expected);
    });

    it("gives payloads back exactly as stored", async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      const stored: Any[] = [
        { typeUrl: "type.googleapis.com/x.Y", value: all },
        { typeUrl: "p.cloudstate.io/string", value: new Uint8Array(0) },
        { typeUrl: "json.cloudstate.io/Some/Class", value: encoder.encode('{"é":"✓"}') },
      ];
      await store.append(pid, "e", 0n, stored, stored[0]);
      await store.saveValue(pid, "v", stored[2]);
      expect((await store.loadEvents(pid, "e", 0n)).map((e) => e.payload)).toEqual(stored);
      expect((await store.loadSnapshot(pid, "e"))?.payload).toEqual(stored[0]);
      expect(await store.loadValue(pid, "v")).toEqual(stored[2]);
    });

    it("stores a snapshot at the sequence of the append's last event and keeps the latest", async () => {
      await store.append(pid, "e", 0n, payloads("a", "b"), payload("s2"));
      expect(await store.loadSnapshot(pid, "e")).toEqual({ sequence: 2n, payload: payload("s2") });
      await store.append(pid, "e", 2n, payloads("c"));
      expect(await store.loadSnapshot(pid, "e")).toEqual({ sequence: 2n, payload: payload("s2") });
      await store.append(pid, "e", 3n, payloads("d", "e", "f"), payload("s6"));
      const snapshot = await store.loadSnapshot(pid, "e");
      expect(snapshot).toEqual({ sequence: 6n, payload: payload("s6") });
      await store.append(pid, "e", 6n, payloads("g"));
      // Replay after a snapshot: the snapshot plus the events after it (ES-6, ES-7).
      const after = plain(await store.loadEvents(pid, "e", snapshot?.sequence ?? 0n));
      expect(after).toEqual([{ sequence: 7n, payload: payload("g") }]);
      // Snapshots never remove journal events (ES-4).
      expect((await store.loadEvents(pid, "e", 0n)).length).toBe(7);
    });

    it.each([
      ["behind", 0n],
      ["ahead", 5n],
    ])("rejects an append whose expected sequence is %s and writes nothing", async (_, expected) => {
      await store.append(pid, "e", 0n, payloads("a", "b"), payload("s"));
      const logBefore = await store.readEventLog(pid, 0n, 100);
      const rejection = store.append(pid, "e", expected, payloads("x", "y"), payload("sx"));
      await expect(rejection).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(rejection).rejects.toMatchObject({
        persistenceId: pid,
        entityId: "e",
        expectedLastSequence: expected,
        actualLastSequence: 2n,
      });
      expect((await store.loadEvents(pid, "e", 0n)).map((e) => e.payload)).toEqual(payloads("a", "b"));
      expect(await store.loadSnapshot(pid, "e")).toEqual({ sequence: 2n, payload: payload("s") });
      expect(await store.readEventLog(pid, 0n, 100)).toEqual(logBefore);
    });

    it("lets exactly one of two racing writers of one entity append, never interleaving", async () => {
      const results = await Promise.allSettled([
        store.append(pid, "e", 0n, payloads("w1a", "w1b", "w1c")),
        store.append(pid, "e", 0n, payloads("w2a", "w2b")),
      ]);
      const won = results.filter((r) => r.status === "fulfilled").length;
      const lost = results.filter((r) => r.status === "rejected" && r.reason instanceof ConcurrencyError).length;
      expect([won, lost]).toEqual([1, 1]);
      const stored = (await store.loadEvents(pid, "e", 0n)).map((e) => e.payload);
      const winner = results[0].status === "fulfilled" ? payloads("w1a", "w1b", "w1c") : payloads("w2a", "w2b");
      expect(stored).toEqual(winner);
    });

    it("treats an append without events as a no-op that still checks the expectation", async () => {
      await store.append(pid, "e", 0n, []);
      expect(await store.lastSequence(pid, "e")).toBe(0n);
      await store.append(pid, "e", 0n, payloads("a"));
      await store.append(pid, "e", 1n, []);
      await expect(store.append(pid, "e", 0n, [])).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.lastSequence(pid, "e")).toBe(1n);
    });

    it("rejects a snapshot without events", async () => {
      await expect(store.append(pid, "e", 0n, [], payload("s"))).rejects.toBeInstanceOf(RangeError);
      expect(await store.loadSnapshot(pid, "e")).toBeUndefined();
    });

    it("lands every one of many concurrent appends to different entities", async () => {
      const count = 50;
      const before = harness.commits?.(store);
      await Promise.all(
        Array.from({ length: count }, (_, i) => store.append(pid, `e${i}`, 0n, payloads(`a${i}`, `b${i}`))),
      );
      for (let i = 0; i < count; i++) {
        expect(plain(await store.loadEvents(pid, `e${i}`, 0n))).toEqual([
          { sequence: 1n, payload: payload(`a${i}`) },
          { sequence: 2n, payload: payload(`b${i}`) },
        ]);
      }
      expect(await store.readEventLog(pid, 0n, 1000)).toHaveLength(2 * count);
      if (harness.commits !== undefined && before !== undefined) {
        // Group commit: concurrent writes share transactions.
        expect(harness.commits(store) - before).toBeLessThan(count);
      }
    });

    it("keeps journals apart by persistence id and entity id", async () => {
      await store.append(`${pid}:a`, "b", 0n, payloads("1"));
      await store.append(pid, "a:b", 0n, payloads("2", "3"));
      await store.append(pid, "a", 0n, payloads("4"));
      expect((await store.loadEvents(`${pid}:a`, "b", 0n)).map((e) => e.payload)).toEqual(payloads("1"));
      expect((await store.loadEvents(pid, "a:b", 0n)).map((e) => e.payload)).toEqual(payloads("2", "3"));
      expect(await store.lastSequence(pid, "a")).toBe(1n);
      expect(await store.lastSequence(pid, "b")).toBe(0n);
    });

    it("saves, replaces and deletes values", async () => {
      await store.saveValue(pid, "v", payload("one"));
      await store.saveValue(pid, "w", payload("other"));
      expect(await store.loadValue(pid, "v")).toEqual(payload("one"));
      await store.saveValue(pid, "v", payload("two"));
      expect(await store.loadValue(pid, "v")).toEqual(payload("two"));
      await store.saveValue(pid, "v", undefined);
      expect(await store.loadValue(pid, "v")).toBeUndefined();
      // Deleting what is not there is a no-op (VE-17).
      await store.saveValue(pid, "v", undefined);
      expect(await store.loadValue(pid, "v")).toBeUndefined();
      expect(await store.loadValue(pid, "w")).toEqual(payload("other"));
      expect(await store.loadValue(`${pid}-x`, "w")).toBeUndefined();
    });

    it("orders the event log of a persistence id across entities by offset", async () => {
      await store.append(pid, "A", 0n, payloads("a1"));
      await store.append(pid, "B", 0n, payloads("b1"));
      await store.append(`${pid}-other`, "A", 0n, payloads("x1"));
      await store.append(pid, "A", 1n, payloads("a2", "a3"), payload("snapshot"));
      await store.append(pid, "B", 1n, payloads("b2"));
      const log = await store.readEventLog(pid, 0n, 100);
      expect(log.map((e) => [e.entityId, e.sequence, e.payload])).toEqual([
        ["A", 1n, payload("a1")],
        ["B", 1n, payload("b1")],
        ["A", 2n, payload("a2")],
        ["A", 3n, payload("a3")],
        ["B", 2n, payload("b2")],
      ]);
      for (let i = 1; i < log.length; i++) expect(log[i]!.offset > log[i - 1]!.offset).toBe(true);
      for (const entry of log) expect(entry.timestamp).toBeInstanceOf(Date);

      const page = await store.readEventLog(pid, log[0]!.offset, 2);
      expect(page.map((e) => e.payload)).toEqual(payloads("b1", "a2"));
      expect(await store.readEventLog(pid, log[4]!.offset, 100)).toEqual([]);
      expect(await store.readEventLog(pid, 0n, 0)).toEqual([]);
      expect((await store.readEventLog(`${pid}-other`, 0n, 100)).map((e) => e.payload)).toEqual(payloads("x1"));
    });

    it.each([
      ["small", 42n],
      ["beyond 2^53", 2n ** 53n + 1n],
      ["int64 max", 2n ** 63n - 1n],
    ])("saves and loads %s eventing offsets", async (_, offset) => {
      const group = `group-${pid}`;
      expect(await store.loadOffset(group, "source")).toBeUndefined();
      await store.saveOffset(group, "source", offset);
      await store.saveOffset(group, "other", 7n);
      await store.saveOffset(`${group}-2`, "source", 8n);
      expect(await store.loadOffset(group, "source")).toBe(offset);
      await store.saveOffset(group, "source", offset - 1n);
      expect(await store.loadOffset(group, "source")).toBe(offset - 1n);
      expect(await store.loadOffset(group, "other")).toBe(7n);
      expect(await store.loadOffset(`${group}-2`, "source")).toBe(8n);
    });

    const seedJournal = harness.seedJournal;
    (seedJournal === undefined ? it.skip : it)("keeps int64 sequences beyond 2^53 exact", async () => {
      const base = 2n ** 53n + 1n; // not representable as a double
      await seedJournal?.(pid, "e", base, payload("seed"));
      expect(await store.lastSequence(pid, "e")).toBe(base);
      await store.append(pid, "e", base, payloads("a", "b"), payload("s"));
      expect(await store.lastSequence(pid, "e")).toBe(base + 2n);
      expect((await store.loadEvents(pid, "e", base)).map((e) => e.sequence)).toEqual([base + 1n, base + 2n]);
      expect(await store.loadSnapshot(pid, "e")).toEqual({ sequence: base + 2n, payload: payload("s") });
      await expect(store.append(pid, "e", base + 1n, payloads("c"))).rejects.toMatchObject({
        actualLastSequence: base + 2n,
      });
    });

    it("rejects every call once closed", async () => {
      const closed = await harness.open();
      await closed.close();
      await expect(closed.loadEvents(pid, "e", 0n)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(closed.append(pid, "e", 0n, payloads("a"))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(closed.saveValue(pid, "e", payload("v"))).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
}
