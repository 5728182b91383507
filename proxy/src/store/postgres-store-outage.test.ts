// The database goes away under a running store and comes back (spec/failover.md: store
// unavailable → UNAVAILABLE, nothing acknowledged that was not written; recovery without a
// proxy restart). Own server: these tests stop it.

import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../test/support/embedded-postgres.js";
import { payload } from "../../test/support/store-contract.js";
import { PostgresStore } from "./postgres-store.js";
import { StoreUnavailableError } from "./store.js";

let server: EmbeddedPostgresServer;
let store: PostgresStore;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  store = await PostgresStore.open({ url: server.url, connectionTimeoutMillis: 1000, queryTimeoutMillis: 5000 });
}, 120_000);

afterAll(async () => {
  await store.close();
  await server.stop();
}, 60_000);

describe("PostgresStore when the database goes away", () => {
  it("rejects with StoreUnavailableError while the server is down and works again once it is back", async () => {
    const pid = "outage";
    await store.append(pid, "e", 0n, [payload("before")], payload("snapshot"));
    await store.saveValue(pid, "v", payload("before"));

    await server.stopServer();
    await expect(store.append(pid, "e", 1n, [payload("down")])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.saveValue(pid, "v", payload("down"))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.saveOffset("group", pid, 1n)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.loadEvents(pid, "e", 0n)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.loadValue(pid, "v")).rejects.toBeInstanceOf(StoreUnavailableError);

    await server.startServer();
    // The same store instance, no restart: the pool opens new connections.
    expect(await store.lastSequence(pid, "e")).toBe(1n);
    await store.append(pid, "e", 1n, [payload("after")]);
    await store.saveValue(pid, "v", payload("after"));
    expect((await store.loadEvents(pid, "e", 0n)).map((e) => e.payload)).toEqual([payload("before"), payload("after")]);
    expect(await store.loadSnapshot(pid, "e")).toEqual({ sequence: 1n, payload: payload("snapshot") });
    expect(await store.loadValue(pid, "v")).toEqual(payload("after"));
  }, 60_000);

  it("keeps every write it acknowledged when the server stops in the middle of writing", async () => {
    const pid = "mid-write";
    const writers = 20;
    // Each writer appends to its own entity, one event at a time, until the server stops (the
    // bound only keeps the loop finite).
    const acknowledged = new Array<bigint>(writers).fill(0n);
    const failures = new Array<unknown>(writers);
    const writing = Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let round = 0; round < 100_000; round++) {
          try {
            await store.append(pid, `e${w}`, acknowledged[w]!, [payload(`w${w}-${round}`)]);
            acknowledged[w]! += 1n;
          } catch (e) {
            failures[w] = e;
            return;
          }
        }
      }),
    );
    // Stop once every writer is under way (bounded wait).
    for (let i = 0; i < 1000 && acknowledged.some((count) => count < 2n); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await server.stopServer();
    await writing;
    await server.startServer();

    for (let w = 0; w < writers; w++) {
      const failure = failures[w];
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      const last = await store.lastSequence(pid, `e${w}`);
      if (failure instanceof StoreUnavailableError && failure.outcomeUnknown) {
        // The connection broke during COMMIT: the write may have landed without acknowledgement.
        expect([acknowledged[w], acknowledged[w]! + 1n]).toContain(last);
      } else {
        expect(last).toBe(acknowledged[w]);
      }
      expect(acknowledged[w]! > 0n).toBe(true);
      const events = await store.loadEvents(pid, `e${w}`, 0n);
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: Number(last) }, (_, i) => BigInt(i + 1)));
    }
  }, 60_000);
});
