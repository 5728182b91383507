// Group commit for the PostgreSQL store. Every write (journal append, value save, offset save)
// becomes an item in a queue; one transaction at a time drains it, so writes from many entities
// that arrive while a transaction is in flight share the next BEGIN/COMMIT and its fsync:
// throughput grows with concurrency while each write stays durable (every transaction sets
// synchronous_commit on).
//
// Items are isolated by a savepoint, so one failing item (typically an append whose expected
// sequence is stale) is rolled back alone and the others commit. A caller's promise settles only
// once the transaction's outcome is known: resolved after COMMIT succeeded, rejected otherwise,
// so nothing is acknowledged that was not written (spec/failover.md, ES-19, VE-20).

import pg from "pg";
import type { Pool, PoolClient } from "pg";
import { ConcurrencyError, StoreUnavailableError } from "./store.js";
import { ADVISORY_LOCK_NAMESPACE } from "./postgres-schema.js";

/** One write, run on the batch's connection inside the batch's transaction. */
export interface WriteItem {
  /**
   * Key of the journal lock this write needs (see journalLockKey), or undefined. The locks of a
   * batch are taken, in ascending key order, before its first item: writers of one persistence
   * id (in this proxy or any other on the database) then commit one after the other, so a
   * reader of the event log never sees a later offset commit before an earlier one.
   */
  readonly lockKey: number | undefined;
  /**
   * Performs the write. A {@link ConcurrencyError} (or any error) fails this item only; its
   * statements are rolled back and the rest of the batch goes on.
   */
  run(client: PoolClient): Promise<void>;
}

/** Counters of a {@link GroupCommitter}, for tests and metrics. */
export interface GroupCommitStats {
  /** Transactions committed. */
  readonly commits: number;
  /** Items that were part of a committed transaction, failed items included. */
  readonly committedItems: number;
  /** Transactions that failed as a whole (connection lost, server gone). */
  readonly failedBatches: number;
  /** Largest number of items one transaction carried. */
  readonly largestBatch: number;
}

interface Pending {
  readonly item: WriteItem;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** Set when the item failed alone; the batch may still commit the others. */
  error?: Error;
}

const SAVEPOINT = "cloudstate_item";

/** Batches writes into shared transactions; see the module comment. */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private commits = 0;
  private committedItems = 0;
  private failedBatches = 0;
  private largestBatch = 0;

  /**
   * @param maxBatchSize most items per transaction. Each item's savepoint becomes a
   *   subtransaction once it writes; PostgreSQL caches 64 subtransaction ids per backend, and
   *   beyond that every snapshot of every session gets slower, so keep this at 64 or below.
   */
  constructor(
    private readonly pool: Pool,
    private readonly maxBatchSize: number,
  ) {
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
    }
  }

  /** Queues a write; resolves once it is committed. */
  submit(item: WriteItem): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Writes submitted in the same tick join the first transaction instead of waiting for it.
      this.running ??= Promise.resolve().then(() => this.drain());
    });
  }

  /** Resolves once every write submitted so far has settled. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  get stats(): GroupCommitStats {
    return {
      commits: this.commits,
      committedItems: this.committedItems,
      failedBatches: this.failedBatches,
      largestBatch: this.largestBatch,
    };
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        await this.commitBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Runs one transaction for `batch` and settles every item of it; never throws. */
  private async commitBatch(batch: Pending[]): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      this.failedBatches++;
      failAll(batch, unavailable("cannot connect to PostgreSQL", e, false));
      return;
    }
    // A checked-out connection has no pool listener; without one a connection lost between two
    // queries would be an unhandled 'error' event. The failing query reports the loss anyway.
    const ignore = (): void => undefined;
    client.on("error", ignore);
    let commitSent = false;
    try {
      await client.query(beginStatement(batch));
      // With a single item the transaction itself isolates it: no savepoint round trips.
      const savepoints = batch.length > 1;
      for (let i = 0; i < batch.length; i++) {
        const pending = batch[i];
        if (pending === undefined) continue;
        if (savepoints && i > 0) await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
        try {
          await pending.item.run(client);
        } catch (e) {
          pending.error = e instanceof ConcurrencyError ? e : unavailable("PostgreSQL rejected the write", e, false);
          // Throws (and fails the batch) when the connection is gone, which is what we want.
          await client.query(savepoints ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` : "ROLLBACK");
          if (!savepoints) {
            client.off("error", ignore);
            client.release();
            settle(batch);
            return;
          }
        }
      }
      commitSent = true;
      await client.query("COMMIT");
    } catch (e) {
      this.failedBatches++;
      client.off("error", ignore);
      // Passing the error destroys the connection instead of returning it to the pool.
      client.release(e instanceof Error ? e : new Error(String(e)));
      const outcomeUnknown = commitSent && !isStatementError(e);
      const error = unavailable(
        outcomeUnknown ? "PostgreSQL connection failed during COMMIT" : "PostgreSQL transaction failed",
        e,
        outcomeUnknown,
      );
      // Items that failed alone keep their own error: they were rolled back either way.
      for (const pending of batch) pending.error ??= error;
      settle(batch);
      return;
    }
    this.commits++;
    this.committedItems += batch.length;
    this.largestBatch = Math.max(this.largestBatch, batch.length);
    client.off("error", ignore);
    client.release();
    settle(batch);
  }
}

/**
 * BEGIN, the journal locks and the first savepoint in one round trip. The lock keys are integers
 * computed by this code (never user input), so writing them into the text is safe; a simple
 * multi-statement query cannot take parameters.
 */
function beginStatement(batch: readonly Pending[]): string {
  const keys = [...new Set(batch.map((p) => p.item.lockKey).filter((k) => k !== undefined))].sort((a, b) => a - b);
  // Acknowledged means durable, whatever the server or role default for synchronous_commit says.
  let text = "BEGIN; SET LOCAL synchronous_commit TO on";
  if (keys.length > 0) {
    const locks = keys.map((key) => `pg_advisory_xact_lock(${ADVISORY_LOCK_NAMESPACE}, ${Math.trunc(key)})`);
    // Functions of one select list run left to right, so the ascending order holds and two
    // batches can never wait for each other's locks in a cycle.
    text += `; SELECT ${locks.join(", ")}`;
  }
  if (batch.length > 1) text += `; SAVEPOINT ${SAVEPOINT}`;
  return text;
}

function settle(batch: readonly Pending[]): void {
  for (const pending of batch) {
    if (pending.error === undefined) pending.resolve();
    else pending.reject(pending.error);
  }
}

function failAll(batch: readonly Pending[], error: Error): void {
  for (const pending of batch) pending.reject(error);
}

/**
 * An error the server reported for a statement (severity ERROR) leaves the session alive and
 * means COMMIT did not happen; anything else (FATAL, connection reset, timeout) leaves the
 * outcome of an in-flight COMMIT unknown.
 */
function isStatementError(e: unknown): boolean {
  return e instanceof pg.DatabaseError && e.severity === "ERROR";
}

/** Wraps a driver error; keeps a StoreUnavailableError as it is. */
export function unavailable(message: string, cause: unknown, outcomeUnknown: boolean): StoreUnavailableError {
  if (cause instanceof StoreUnavailableError) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : "";
  return new StoreUnavailableError(`${message}${detail}`, { cause, outcomeUnknown });
}
