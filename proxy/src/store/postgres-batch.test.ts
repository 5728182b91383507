// The combined statements of a group-commit batch on a real PostgreSQL: writes submitted in one
// tick share one transaction (asserted through the commit counter), and each keeps the outcome it
// would have had on its own, in submission order.

import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../test/support/embedded-postgres.js";
import { payload } from "../../test/support/store-contract.js";
import { PostgresStore } from "./postgres-store.js";
import { ConcurrencyError } from "./store.js";

let server: EmbeddedPostgresServer;
let store: PostgresStore;
let run = 0;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  store = await PostgresStore.open({ url: await server.createDatabase("batch"), connectionTimeoutMillis: 2000 });
}, 120_000);

afterAll(async () => {
  await store.close();
  await server.stop();
}, 60_000);

/**
 * Runs `writes` (started in the same tick) and checks they took exactly one transaction, with
 * the combined statements (no fallback to writing one at a time).
 */
async function oneBatch(writes: () => Promise<void>[]): Promise<PromiseSettledResult<void>[]> {
  const before = store.stats;
  const results = await Promise.allSettled(writes());
  expect(store.stats.commits - before.commits).toBe(1);
  expect(store.stats.combinedFallbacks).toBe(before.combinedFallbacks);
  return results;
}

const statuses = (results: readonly PromiseSettledResult<void>[]): string[] => results.map((r) => r.status);

describe("PostgresStore batches", () => {
  const pid = (): string => `batch-${++run}`;

  it("appends to many entities in one transaction, with snapshots, event-log offsets in batch and sequence order", async () => {
    const p = pid();
    await store.append(p, "b", 0n, [payload("b0")]);
    const results = await oneBatch(() => [
      store.append(p, "a", 0n, [payload("a1"), payload("a2"), payload("a3")], payload("a-snapshot")),
      store.append(p, "b", 1n, [payload("b1"), payload("b2")]),
      store.append(p, "c", 0n, [payload("c1")], payload("c-snapshot")),
    ]);
    expect(statuses(results)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect((await store.loadEvents(p, "a", 0n)).map((e) => [e.sequence, e.payload])).toEqual([
      [1n, payload("a1")],
      [2n, payload("a2")],
      [3n, payload("a3")],
    ]);
    expect(await store.loadSnapshot(p, "a")).toEqual({ sequence: 3n, payload: payload("a-snapshot") });
    expect(await store.loadSnapshot(p, "c")).toEqual({ sequence: 1n, payload: payload("c-snapshot") });
    expect(await store.lastSequence(p, "b")).toBe(3n);
    const log = await store.readEventLog(p, 0n, 100);
    expect(log.map((e) => `${e.entityId}${e.sequence}`)).toEqual(["b1", "a1", "a2", "a3", "b2", "b3", "c1"]);
  });

  it("gives a second append to the same entity in a batch the outcome it has in order", async () => {
    const p = pid();
    const results = await oneBatch(() => [
      store.append(p, "e", 0n, [payload("first")]),
      store.append(p, "e", 1n, [payload("second")], payload("snapshot")),
      store.append(p, "e", 0n, [payload("stale")]),
    ]);
    expect(statuses(results)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(results[2]?.status === "rejected" && results[2].reason instanceof ConcurrencyError).toBe(true);
    expect((await store.loadEvents(p, "e", 0n)).map((e) => e.payload)).toEqual([payload("first"), payload("second")]);
    expect(await store.loadSnapshot(p, "e")).toEqual({ sequence: 2n, payload: payload("snapshot") });
  });

  it("saves, replaces and deletes values of several entities in one batch, the last write of an entity winning", async () => {
    const p = pid();
    await store.saveValue(p, "gone", payload("old"));
    const results = await oneBatch(() => [
      store.saveValue(p, "x", payload("x1")),
      store.saveValue(p, "gone", undefined),
      store.saveValue(p, "x", payload("x2")),
      store.saveValue(p, "y", payload("y")),
      store.saveValue(p, "y", undefined),
      store.saveValue(p, "never", undefined),
    ]);
    expect(statuses(results).every((s) => s === "fulfilled")).toBe(true);
    expect(await store.loadValue(p, "x")).toEqual(payload("x2"));
    expect(await store.loadValue(p, "gone")).toBeUndefined();
    expect(await store.loadValue(p, "y")).toBeUndefined();
    expect(await store.loadValue(p, "never")).toBeUndefined();
  });

  it("saves offsets of several sources in one batch, the last save of a source winning", async () => {
    const p = pid();
    const results = await oneBatch(() => [store.saveOffset(p, "s1", 5n), store.saveOffset(p, "s2", 7n), store.saveOffset(p, "s1", 9n)]);
    expect(statuses(results).every((s) => s === "fulfilled")).toBe(true);
    expect(await store.loadOffset(p, "s1")).toBe(9n);
    expect(await store.loadOffset(p, "s2")).toBe(7n);
  });

  it("keeps payload bytes and type URLs of every kind exact through the combined statements", async () => {
    const p = pid();
    const odd = { typeUrl: `type.example/"quoted",{braces}\\back'slash é`, value: Uint8Array.from([0, 92, 34, 123, 125, 44, 255]) };
    const empty = { typeUrl: "type.example/empty", value: new Uint8Array() };
    await oneBatch(() => [store.append(p, "e", 0n, [odd, empty], odd), store.saveValue(p, "v", odd), store.saveValue(p, "w", empty)]);
    expect((await store.loadEvents(p, "e", 0n)).map((e) => e.payload)).toEqual([odd, empty]);
    expect(await store.loadSnapshot(p, "e")).toEqual({ sequence: 2n, payload: odd });
    expect(await store.loadValue(p, "v")).toEqual(odd);
    expect(await store.loadValue(p, "w")).toEqual(empty);
  });

  it("appends a journal longer than one statement's parameters allow in a batch with others", async () => {
    const p = pid();
    const long = Array.from({ length: 40_000 }, (_, i) => payload(`e${i}`));
    const results = await oneBatch(() => [store.append(p, "long", 0n, long), store.append(p, "short", 0n, [payload("s")])]);
    expect(statuses(results)).toEqual(["fulfilled", "fulfilled"]);
    expect(await store.lastSequence(p, "long")).toBe(40_000n);
    expect((await store.loadEvents(p, "long", 39_998n)).map((e) => e.payload)).toEqual([payload("e39998"), payload("e39999")]);
  });
});
