// The group committer against a scripted connection: which statements a batch sends, in which
// order, and how each write's outcome follows. PostgreSQL itself is in postgres-store.test.ts and
// postgres-batch.test.ts.

import { describe, expect, it } from "@jest/globals";
import pg from "pg";
import type { Pool, PoolClient, QueryConfig } from "pg";
import { type CombinedStatement, type CombineWrites, GroupCommitter, type WriteItem } from "./group-commit.js";
import { ConcurrencyError, StoreUnavailableError } from "./store.js";

/** A write of the fake store: its name, and whether PostgreSQL would reject it (fail) or find its sequence stale (conflict). */
interface FakeWrite {
  readonly name: string;
  readonly fail?: boolean;
  readonly conflict?: boolean;
  readonly key?: string;
}

function databaseError(message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, 0, "error");
  error.severity = "ERROR";
  return error;
}

/** Records every statement; a statement text or name containing "FAIL" is rejected as PostgreSQL would. */
function fakePool(): { pool: Pool; sent: string[] } {
  const sent: string[] = [];
  const client = {
    query(query: string | QueryConfig) {
      const text = typeof query === "string" ? query : (query.name ?? query.text);
      sent.push(text);
      if (text.includes("FAIL")) return Promise.reject(databaseError(`rejected ${text}`));
      const rows = typeof query === "string" ? [] : ((query.values?.[0] as { name: string; conflict?: boolean }[] | undefined) ?? []).map((w) => ({ name: w.name, conflict: w.conflict === true }));
      return Promise.resolve({ rows });
    },
    on: () => client,
    off: () => client,
    release: () => undefined,
  };
  return { pool: { connect: () => Promise.resolve(client as unknown as PoolClient) } as unknown as Pool, sent };
}

/** All combinable writes of a batch in one statement named after them; a write marked fail makes the statement fail. */
const COMBINE: CombineWrites<FakeWrite> = {
  key: (w) => w.key ?? w.name,
  statements(writes): CombinedStatement[] {
    const names = writes.map((w) => (w.fail ? `FAIL:${w.name}` : w.name)).join(",");
    return [
      {
        query: { name: `combined(${names})`, text: "", values: [writes] },
        writes: writes.map((_, i) => i),
        outcomes: (rows) => rows.map((row) => (row["conflict"] === true ? new ConcurrencyError("p", String(row["name"]), 0n, 1n) : undefined)),
      },
    ];
  },
};

function item(write: FakeWrite, combinable = true): WriteItem<FakeWrite> {
  return {
    lockKey: undefined,
    ...(combinable ? { combinable: write } : {}),
    run: async (client) => {
      await client.query(write.fail ? `FAIL ${write.name}` : `run ${write.name}`);
      if (write.conflict) throw new ConcurrencyError("p", write.name, 0n, 1n);
    },
  };
}

const BEGIN = "BEGIN; SET LOCAL synchronous_commit TO on; SAVEPOINT cloudstate_item";
const FRESH = "RELEASE SAVEPOINT cloudstate_item; SAVEPOINT cloudstate_item";
const ROLLBACK = "ROLLBACK TO SAVEPOINT cloudstate_item";

async function commit(items: readonly WriteItem<FakeWrite>[]): Promise<{ sent: string[]; outcomes: PromiseSettledResult<void>[]; fallbacks: number }> {
  const { pool, sent } = fakePool();
  const committer = new GroupCommitter(pool, 64, COMBINE);
  const outcomes = await Promise.allSettled(items.map((i) => committer.submit(i)));
  return { sent, outcomes, fallbacks: committer.stats.combinedFallbacks };
}

describe("GroupCommitter with combined statements", () => {
  it("sends a batch of any size as BEGIN, one combined statement and COMMIT", async () => {
    for (const size of [2, 10, 64]) {
      const writes = Array.from({ length: size }, (_, i) => item({ name: `w${i}` }));
      const { sent, outcomes } = await commit(writes);
      expect(sent).toEqual([BEGIN, `combined(${writes.map((_, i) => `w${i}`).join(",")})`, "COMMIT"]);
      expect(outcomes.every((o) => o.status === "fulfilled")).toBe(true);
    }
  });

  it("fails only the writes whose outcome says so", async () => {
    const { sent, outcomes } = await commit([item({ name: "a" }), item({ name: "b", conflict: true }), item({ name: "c" })]);
    expect(sent).toEqual([BEGIN, "combined(a,b,c)", "COMMIT"]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(outcomes[1]?.status === "rejected" && outcomes[1].reason instanceof ConcurrencyError).toBe(true);
  });

  it("runs every write alone when the combined statement fails, so only the culprit fails", async () => {
    const { sent, outcomes, fallbacks } = await commit([item({ name: "a" }), item({ name: "b", fail: true }), item({ name: "c" })]);
    expect(sent).toEqual([BEGIN, "combined(a,FAIL:b,c)", ROLLBACK, "run a", FRESH, "FAIL b", ROLLBACK, FRESH, "run c", "COMMIT"]);
    expect(fallbacks).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(outcomes[1]?.status === "rejected" && outcomes[1].reason instanceof StoreUnavailableError).toBe(true);
  });

  it("runs a second write of the same key alone after the combined statement, under a fresh savepoint", async () => {
    const { sent, outcomes } = await commit([item({ name: "a", key: "k" }), item({ name: "b" }), item({ name: "a2", key: "k" })]);
    expect(sent).toEqual([BEGIN, "combined(a,b)", FRESH, "run a2", "COMMIT"]);
    expect(outcomes.every((o) => o.status === "fulfilled")).toBe(true);
  });

  it("runs writes that cannot be combined alone, after the combined ones", async () => {
    const { sent } = await commit([item({ name: "x" }, false), item({ name: "a" }), item({ name: "y" }, false)]);
    expect(sent).toEqual([BEGIN, "combined(a)", FRESH, "run x", FRESH, "run y", "COMMIT"]);
  });

  it("runs a batch of one write alone, without savepoint or combined statement", async () => {
    const { sent } = await commit([item({ name: "a" })]);
    expect(sent).toEqual(["BEGIN; SET LOCAL synchronous_commit TO on", "run a", "COMMIT"]);
  });
});
