// Group commit for the PostgreSQL store. Every write (journal append, value save, offset save)
// becomes an item in a queue; one transaction at a time drains it, so writes from many entities
// that arrive while a transaction is in flight share the next BEGIN/COMMIT and its fsync:
// throughput grows with concurrency while each write stays durable (every transaction sets
// synchronous_commit on).
//
// Each item succeeds or fails on its own, and the others commit. Writes that can share a
// statement (see CombineWrites) go in one statement per kind, which gives each write its own
// outcome (an append whose expected sequence is stale writes nothing and fails alone): a batch
// then costs the same few round trips whatever its size. Everything else, and everything when a
// combined statement fails as a whole, runs one item at a time, each isolated by a savepoint, so
// a failing item is rolled back alone. A caller's promise settles only once the transaction's
// outcome is known: resolved after COMMIT succeeded, rejected otherwise, so nothing is
// acknowledged that was not written (spec/failover.md, ES-19, VE-20).

import pg from "pg";
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from "pg";
import { ConcurrencyError, StoreUnavailableError } from "./store.js";
import { ADVISORY_LOCK_NAMESPACE } from "./postgres-schema.js";

/** One write, run on the batch's connection inside the batch's transaction. */
export interface WriteItem<C = never> {
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
  /**
   * The same write as data for the batch's combined statements (see {@link CombineWrites}), when
   * it can share one; undefined when it always runs on its own.
   */
  readonly combinable?: C;
}

/** One statement that performs several writes of a batch. */
export interface CombinedStatement {
  readonly query: QueryConfig;
  /** Positions, among the writes given to {@link CombineWrites.statements}, of the writes it performs. */
  readonly writes: readonly number[];
  /** The outcome of each of those writes (same order) from the statement's rows: undefined when written, else its error. */
  outcomes(rows: readonly QueryResultRow[]): (Error | undefined)[];
}

/** How writes of a batch combine into a few statements (the store's part of group commit). */
export interface CombineWrites<C> {
  /**
   * What a write writes (its row). Two writes with one key are never combined: the later one
   * runs on its own after the combined statements, so it sees the earlier, as it would in order.
   */
  key(write: C): string;
  /** The statements (a few, whatever the number of writes) that perform all of `writes`. */
  statements(writes: readonly C[]): CombinedStatement[];
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
  /** Combined statements that failed as a whole, after which their batch ran write by write. */
  readonly combinedFallbacks: number;
}

interface Pending<C> {
  readonly item: WriteItem<C>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** Set when the item failed alone; the batch may still commit the others. */
  error?: Error;
}

const SAVEPOINT = "cloudstate_item";

/** Batches writes into shared transactions; see the module comment. */
export class GroupCommitter<C = never> {
  private readonly queue: Pending<C>[] = [];
  private running: Promise<void> | undefined;
  private commits = 0;
  private committedItems = 0;
  private failedBatches = 0;
  private largestBatch = 0;
  private combinedFallbacks = 0;

  /**
   * @param maxBatchSize most items per transaction. Each item's savepoint becomes a
   *   subtransaction once it writes; PostgreSQL caches 64 subtransaction ids per backend, and
   *   beyond that every snapshot of every session gets slower, so keep this at 64 or below.
   * @param combine how combinable writes share statements; without it every item runs on its own.
   */
  constructor(
    private readonly pool: Pool,
    private readonly maxBatchSize: number,
    private readonly combine?: CombineWrites<C>,
  ) {
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
    }
  }

  /** Queues a write; resolves once it is committed. */
  submit(item: WriteItem<C>): Promise<void> {
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
      combinedFallbacks: this.combinedFallbacks,
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
  private async commitBatch(batch: Pending<C>[]): Promise<void> {
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
      if (batch.length === 1) {
        // The transaction itself isolates a single item: no savepoints, no combined statement.
        const only = batch[0];
        if (only !== undefined && !(await this.runAlone(client, only, false))) {
          client.off("error", ignore);
          client.release();
          settle(batch);
          return;
        }
      } else {
        const alone = await this.runCombined(client, batch);
        // The savepoint taken by BEGIN covers what the combined statements wrote: take a fresh one.
        let fresh = alone.length === batch.length;
        for (const pending of alone) {
          if (!fresh) await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
          await this.runAlone(client, pending, true);
          fresh = false;
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

  /**
   * Performs the batch's combinable writes in combined statements, setting the error of each
   * write that failed alone, and returns the items left to run one at a time (in batch order).
   * When a combined statement fails as a whole (one of its writes broke a rule of the database),
   * everything it and the others did is rolled back and every item runs alone, which isolates
   * the culprit. Throws when the connection fails.
   */
  private async runCombined(client: PoolClient, batch: readonly Pending<C>[]): Promise<readonly Pending<C>[]> {
    const combine = this.combine;
    if (combine === undefined) return batch;
    const combined: Pending<C>[] = [];
    const writes: C[] = [];
    const alone: Pending<C>[] = [];
    const keys = new Set<string>();
    for (const pending of batch) {
      const write = pending.item.combinable;
      if (write === undefined || keys.has(combine.key(write))) {
        alone.push(pending);
        continue;
      }
      keys.add(combine.key(write));
      combined.push(pending);
      writes.push(write);
    }
    if (combined.length === 0) return batch;
    try {
      for (const statement of combine.statements(writes)) {
        const result = await client.query(statement.query);
        const outcomes = statement.outcomes(result.rows);
        statement.writes.forEach((index, i) => {
          const pending = combined[index];
          const outcome = outcomes[i];
          if (pending !== undefined && outcome !== undefined) pending.error = outcome;
        });
      }
    } catch (e) {
      if (!isStatementError(e)) throw e;
      this.combinedFallbacks++;
      await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      for (const pending of combined) delete pending.error;
      return batch;
    }
    return alone;
  }

  /**
   * Runs one item on its own. On failure its error is set and its statements rolled back (to
   * the savepoint, or the whole transaction when `savepoint` is false); returns whether it
   * succeeded. Throws when the connection fails.
   */
  private async runAlone(client: PoolClient, pending: Pending<C>, savepoint: boolean): Promise<boolean> {
    try {
      await pending.item.run(client);
      return true;
    } catch (e) {
      pending.error = e instanceof ConcurrencyError ? e : unavailable("PostgreSQL rejected the write", e, false);
      // Throws (and fails the batch) when the connection is gone, which is what we want.
      await client.query(savepoint ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` : "ROLLBACK");
      return false;
    }
  }
}

/**
 * BEGIN, the journal locks and the first savepoint in one round trip. The lock keys are integers
 * computed by this code (never user input), so writing them into the text is safe; a simple
 * multi-statement query cannot take parameters.
 */
function beginStatement<C>(batch: readonly Pending<C>[]): string {
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

function settle<C>(batch: readonly Pending<C>[]): void {
  for (const pending of batch) {
    if (pending.error === undefined) pending.resolve();
    else pending.reject(pending.error);
  }
}

function failAll<C>(batch: readonly Pending<C>[], error: Error): void {
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
