import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../test/support/embedded-postgres.js";
import { describeStoreContract, payload } from "../../test/support/store-contract.js";
import { ADVISORY_LOCK_NAMESPACE, SCHEMA_VERSION, SchemaTooNewError, journalLockKey } from "./postgres-schema.js";
import { PostgresStore } from "./postgres-store.js";
import { ConcurrencyError, StoreUnavailableError } from "./store.js";
import { createStore } from "./store-factory.js";

let server: EmbeddedPostgresServer;
let url: string;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  url = await server.createDatabase("contract");
}, 120_000);

afterAll(async () => {
  await server.stop();
}, 60_000);

function open(databaseUrl = url): Promise<PostgresStore> {
  return PostgresStore.open({ url: databaseUrl, connectionTimeoutMillis: 2000 });
}

/** Runs `work` on a plain connection to the database, outside any store. */
async function withClient<T>(work: (client: pg.Client) => Promise<T>, databaseUrl = url): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describeStoreContract("postgres", {
  open: () => open(),
  commits: (store) => store.stats.commits,
  seedJournal: (persistenceId, entityId, lastSequence, event) =>
    withClient(async (client) => {
      await client.query(
        `INSERT INTO cloudstate_journal (persistence_id, entity_id, sequence, type_url, payload)
         VALUES ($1, $2, $3, $4, $5)`,
        [persistenceId, entityId, lastSequence, event.typeUrl, event.value],
      );
    }),
});

describe("PostgresStore", () => {
  it("is what createStore makes for kind postgres", async () => {
    const store = await createStore({ kind: "postgres", url, poolSize: 2 });
    try {
      expect(store).toBeInstanceOf(PostgresStore);
    } finally {
      await store.close();
    }
  });

  it("migrates a fresh database once when several proxies start at the same time", async () => {
    const fresh = await server.createDatabase("migrations");
    const stores = await Promise.all([open(fresh), open(fresh), open(fresh), open(fresh)]);
    await Promise.all(stores.map((s) => s.close()));
    const versions = await withClient(async (client) => {
      const result = await client.query<{ version: number }>("SELECT version FROM cloudstate_schema_migrations ORDER BY 1");
      return result.rows.map((row) => row.version);
    }, fresh);
    expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it("refuses a database migrated by a newer proxy", async () => {
    const newer = await server.createDatabase("newer");
    await (await open(newer)).close();
    await withClient(async (client) => {
      await client.query("INSERT INTO cloudstate_schema_migrations (version, description) VALUES ($1, 'future')", [
        SCHEMA_VERSION + 1,
      ]);
    }, newer);
    await expect(open(newer)).rejects.toBeInstanceOf(SchemaTooNewError);
  });

  it("rejects opening an unreachable database with StoreUnavailableError", async () => {
    const unreachable = url.replace(`:${server.port}/`, ":1/");
    await expect(open(unreachable)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("fails only the conflicting writes of a batch and commits the others in one transaction", async () => {
    const store = await open();
    try {
      const pid = `batch-${Date.now()}`;
      await store.append(pid, "conflict", 0n, [payload("x")]);
      const before = store.stats.commits;
      const results = await Promise.allSettled([
        store.append(pid, "a", 0n, [payload("a")]),
        store.append(pid, "conflict", 0n, [payload("lost")], payload("lost-snapshot")),
        store.saveValue(pid, "v", payload("v")),
        store.append(pid, "b", 0n, [payload("b")]),
        store.saveOffset(pid, "source", 3n),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
      expect(results[1].status === "rejected" && results[1].reason instanceof ConcurrencyError).toBe(true);
      expect(store.stats.commits - before).toBe(1);
      expect((await store.loadEvents(pid, "conflict", 0n)).map((e) => e.payload)).toEqual([payload("x")]);
      expect(await store.loadSnapshot(pid, "conflict")).toBeUndefined();
      expect(await store.loadValue(pid, "v")).toEqual(payload("v"));
      expect(await store.lastSequence(pid, "b")).toBe(1n);
      expect(await store.loadOffset(pid, "source")).toBe(3n);
    } finally {
      await store.close();
    }
  });

  it("isolates a write that PostgreSQL itself rejects: the rest of the batch commits", async () => {
    const store = await open();
    try {
      const pid = `sql-error-${Date.now()}`;
      const max = 2n ** 63n - 1n;
      // A journal at the int64 maximum: one more sequence overflows inside the statement.
      await withClient(async (client) => {
        await client.query(
          "INSERT INTO cloudstate_journal (persistence_id, entity_id, sequence, type_url, payload) VALUES ($1, 'full', $2, 't', '')",
          [pid, max],
        );
      });
      const before = store.stats.commits;
      const results = await Promise.allSettled([
        store.append(pid, "a", 0n, [payload("a")]),
        store.append(pid, "full", max, [payload("overflow")]),
        store.saveValue(pid, "v", payload("v")),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      const reason: unknown = results[1].status === "rejected" ? results[1].reason : undefined;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason).toMatchObject({ outcomeUnknown: false });
      expect(store.stats.commits - before).toBe(1);
      // The batch's combined append failed as a whole and was redone write by write.
      expect(store.stats.combinedFallbacks).toBe(1);
      expect(await store.lastSequence(pid, "a")).toBe(1n);
      expect(await store.lastSequence(pid, "full")).toBe(max);
      expect(await store.loadValue(pid, "v")).toEqual(payload("v"));
    } finally {
      await store.close();
    }
  });

  it("appends more events than fit one statement, all or nothing", async () => {
    const store = await open();
    try {
      const pid = `large-${Date.now()}`;
      const events = Array.from({ length: 2500 }, (_, i) => payload(`e${i}`));
      await store.append(pid, "e", 0n, events, payload("snapshot"));
      const loaded = await store.loadEvents(pid, "e", 0n);
      expect(loaded.map((e) => e.payload)).toEqual(events);
      expect(loaded.at(-1)?.sequence).toBe(2500n);
      expect((await store.loadSnapshot(pid, "e"))?.sequence).toBe(2500n);
      await expect(store.append(pid, "e", 0n, events)).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.lastSequence(pid, "e")).toBe(2500n);
    } finally {
      await store.close();
    }
  });

  it("never lets a later event-log offset become visible before an earlier one of the same persistence id", async () => {
    const store = await open();
    const pid = `order-${Date.now()}`;
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      // Another proxy's append, holding the journal lock with its offset taken but not committed.
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_LOCK_NAMESPACE, journalLockKey(pid)]);
      await other.query(
        "INSERT INTO cloudstate_journal (persistence_id, entity_id, sequence, type_url, payload) VALUES ($1, 'X', 1, 't', '')",
        [pid],
      );
      let acknowledged = false;
      const append = store.append(pid, "Y", 0n, [payload("y")]).then(() => {
        acknowledged = true;
      });
      await waitForLockWaiter();
      expect(acknowledged).toBe(false);
      expect(await store.readEventLog(pid, 0n, 10)).toEqual([]);
      await other.query("COMMIT");
      await append;
      const log = await store.readEventLog(pid, 0n, 10);
      expect(log.map((e) => e.entityId)).toEqual(["X", "Y"]);
    } finally {
      await other.end();
      await store.close();
    }
  });

  it("keeps everything across a restart of the store", async () => {
    const pid = `durable-${Date.now()}`;
    const first = await open();
    await first.append(pid, "e", 0n, [payload("a"), payload("b")], payload("s"));
    await first.saveValue(pid, "v", payload("v"));
    await first.saveOffset(pid, "source", 2n);
    await first.close();

    const second = await open();
    try {
      expect((await second.loadEvents(pid, "e", 0n)).map((e) => e.payload)).toEqual([payload("a"), payload("b")]);
      expect(await second.loadSnapshot(pid, "e")).toEqual({ sequence: 2n, payload: payload("s") });
      expect(await second.loadValue(pid, "v")).toEqual(payload("v"));
      expect(await second.loadOffset(pid, "source")).toBe(2n);
      await second.append(pid, "e", 2n, [payload("c")]);
      expect(await second.lastSequence(pid, "e")).toBe(3n);
    } finally {
      await second.close();
    }
  });
});

/** Waits (bounded) until some session waits for an advisory lock. */
async function waitForLockWaiter(): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const waiting = await withClient(async (client) => {
      const result = await client.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
      return result.rowCount ?? 0;
    });
    if (waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no session ever waited for the journal lock");
}
