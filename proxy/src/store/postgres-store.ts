// The durable store of the proxy, on PostgreSQL through the `pg` driver. Reads use pooled
// connections directly; writes go through the GroupCommitter (one transaction for all writes
// that arrive while the previous one is in flight, its writes combined into a few statements by
// postgres-batch.ts). The schema is migrated on open.

import pg from "pg";
import type { Pool, PoolClient } from "pg";
import type { Any } from "@cloudstate/protocol";
import { GroupCommitter, unavailable, type GroupCommitStats, type WriteItem } from "./group-commit.js";
import { type BatchedWrite, COMBINE_POSTGRES_WRITES } from "./postgres-batch.js";
import { SchemaTooNewError, journalLockKey, migrate } from "./postgres-schema.js";
import {
  ConcurrencyError,
  StoreUnavailableError,
  appendShapeError,
  type EventLogEntry,
  type Store,
  type StoredEvent,
  type StoredSnapshot,
} from "./store.js";

/** Configuration of a {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** libpq-style connection string, e.g. `postgresql://user:password@host:5432/database`. */
  readonly url: string;
  /** Most connections the store opens (reads share them; writes use one at a time). Default 10. */
  readonly poolSize?: number;
  /** Most writes committed in one transaction. Default 64 (see GroupCommitter). */
  readonly maxBatchSize?: number;
  /**
   * How long to wait for a new connection before failing with StoreUnavailableError, so a
   * vanished server fails calls instead of hanging them. Default 5000 ms.
   */
  readonly connectionTimeoutMillis?: number;
  /** How long to wait for any one query's answer before giving the connection up. Default 30000 ms. */
  readonly queryTimeoutMillis?: number;
}

/** Events per INSERT statement; a longer append is split, still inside one savepoint. */
const MAX_EVENTS_PER_STATEMENT = 1000;
/** Appends of up to this many events use named (prepared once per connection) statements. */
const MAX_PREPARED_EVENTS = 8;

/** {@link Store} on PostgreSQL; create it with {@link PostgresStore.open}. */
export class PostgresStore implements Store {
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly committer: GroupCommitter<BatchedWrite>,
  ) {}

  /**
   * Connects, migrates the schema (safe when several proxies start at once) and returns the
   * store. Rejects with StoreUnavailableError when the database cannot be reached, and with
   * SchemaTooNewError when a newer proxy already migrated the database further.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
      query_timeout: options.queryTimeoutMillis ?? 30_000,
      keepAlive: true,
      application_name: "cloudstate-proxy",
    });
    // An idle connection that dies (server restart) is dropped by the pool, which then emits
    // 'error'; without a listener that event would crash the proxy. The next use reconnects.
    pool.on("error", () => undefined);
    const committer = new GroupCommitter(pool, options.maxBatchSize ?? 64, COMBINE_POSTGRES_WRITES);
    let client: PoolClient | undefined;
    try {
      client = await pool.connect();
      await migrate(client);
      client.release();
    } catch (e) {
      client?.release(true);
      await pool.end().catch(() => undefined);
      throw e instanceof SchemaTooNewError ? e : unavailable("cannot open the PostgreSQL store", e, false);
    }
    return new PostgresStore(pool, committer);
  }

  /** Group commit counters (commits versus writes show how well batching works). */
  get stats(): GroupCommitStats {
    return this.committer.stats;
  }

  async loadSnapshot(persistenceId: string, entityId: string): Promise<StoredSnapshot | undefined> {
    const rows = await this.read<PayloadRow & { sequence: string }>(
      "cs_load_snapshot",
      "SELECT sequence, type_url, payload FROM cloudstate_snapshots WHERE persistence_id = $1 AND entity_id = $2",
      [persistenceId, entityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { sequence: BigInt(row.sequence), payload: toAny(row) };
  }

  async loadEvents(persistenceId: string, entityId: string, afterSequence: bigint): Promise<StoredEvent[]> {
    const rows = await this.read<PayloadRow & { sequence: string }>(
      "cs_load_events",
      `SELECT sequence, type_url, payload FROM cloudstate_journal
       WHERE persistence_id = $1 AND entity_id = $2 AND sequence > $3 ORDER BY sequence`,
      [persistenceId, entityId, afterSequence],
    );
    return rows.map((row) => ({ sequence: BigInt(row.sequence), payload: toAny(row) }));
  }

  async lastSequence(persistenceId: string, entityId: string): Promise<bigint> {
    const rows = await this.read<{ last: string }>(
      "cs_last_sequence",
      "SELECT coalesce(max(sequence), 0) AS last FROM cloudstate_journal WHERE persistence_id = $1 AND entity_id = $2",
      [persistenceId, entityId],
    );
    return BigInt(rows[0]?.last ?? "0");
  }

  append(
    persistenceId: string,
    entityId: string,
    expectedLastSequence: bigint,
    events: readonly Any[],
    snapshot?: Any,
  ): Promise<void> {
    const shapeError = appendShapeError(events, snapshot);
    if (shapeError !== undefined) return Promise.reject(shapeError);
    if (events.length === 0) return this.checkLastSequence(persistenceId, entityId, expectedLastSequence);
    return this.write({
      lockKey: journalLockKey(persistenceId),
      combinable: { kind: "append", persistenceId, entityId, expected: expectedLastSequence, events, snapshot },
      run: async (client) => {
        // Each chunk re-checks that the journal ends where the previous chunk left it, so one
        // statement shape serves both the first chunk (the caller's expectation) and the rest.
        let expected = expectedLastSequence;
        let start = 0;
        do {
          const chunk = events.slice(start, start + MAX_EVENTS_PER_STATEMENT);
          const last = start + chunk.length >= events.length;
          const result = await client.query<{ last: string }>(
            appendQuery(persistenceId, entityId, expected, chunk, last ? snapshot : undefined),
          );
          const actual = BigInt(result.rows[0]?.last ?? "0");
          if (actual !== expected) {
            throw new ConcurrencyError(persistenceId, entityId, expectedLastSequence, actual);
          }
          expected += BigInt(chunk.length);
          start += chunk.length;
        } while (start < events.length);
      },
    });
  }

  async loadValue(persistenceId: string, entityId: string): Promise<Any | undefined> {
    const rows = await this.read<PayloadRow>(
      "cs_load_value",
      "SELECT type_url, payload FROM cloudstate_values WHERE persistence_id = $1 AND entity_id = $2",
      [persistenceId, entityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : toAny(row);
  }

  saveValue(persistenceId: string, entityId: string, value: Any | undefined): Promise<void> {
    return this.write({
      lockKey: undefined,
      combinable: { kind: "value", persistenceId, entityId, value },
      run: async (client) => {
        if (value === undefined) {
          await client.query({
            name: "cs_delete_value",
            text: "DELETE FROM cloudstate_values WHERE persistence_id = $1 AND entity_id = $2",
            values: [persistenceId, entityId],
          });
        } else {
          await client.query({
            name: "cs_save_value",
            text: `INSERT INTO cloudstate_values (persistence_id, entity_id, type_url, payload) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (persistence_id, entity_id) DO UPDATE
                   SET type_url = excluded.type_url, payload = excluded.payload, written_at = excluded.written_at`,
            values: [persistenceId, entityId, value.typeUrl, value.value],
          });
        }
      },
    });
  }

  async readEventLog(persistenceId: string, afterOffset: bigint, limit: number): Promise<EventLogEntry[]> {
    if (limit <= 0) return [];
    const rows = await this.read<PayloadRow & { event_offset: string; entity_id: string; sequence: string; written_at: Date }>(
      "cs_read_event_log",
      `SELECT event_offset, entity_id, sequence, type_url, payload, written_at FROM cloudstate_journal
       WHERE persistence_id = $1 AND event_offset > $2 ORDER BY event_offset LIMIT $3`,
      [persistenceId, afterOffset, Math.floor(limit)],
    );
    return rows.map((row) => ({
      offset: BigInt(row.event_offset),
      entityId: row.entity_id,
      sequence: BigInt(row.sequence),
      payload: toAny(row),
      timestamp: row.written_at,
    }));
  }

  async loadOffset(consumerGroup: string, source: string): Promise<bigint | undefined> {
    const rows = await this.read<{ event_offset: string }>(
      "cs_load_offset",
      "SELECT event_offset FROM cloudstate_eventing_offsets WHERE consumer_group = $1 AND source = $2",
      [consumerGroup, source],
    );
    const row = rows[0];
    return row === undefined ? undefined : BigInt(row.event_offset);
  }

  saveOffset(consumerGroup: string, source: string, offset: bigint): Promise<void> {
    return this.write({
      lockKey: undefined,
      combinable: { kind: "offset", consumerGroup, source, offset },
      run: async (client) => {
        await client.query({
          name: "cs_save_offset",
          text: `INSERT INTO cloudstate_eventing_offsets (consumer_group, source, event_offset) VALUES ($1, $2, $3)
                 ON CONFLICT (consumer_group, source) DO UPDATE
                 SET event_offset = excluded.event_offset, written_at = excluded.written_at`,
          values: [consumerGroup, source, offset],
        });
      },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.committer.idle();
    await this.pool.end();
  }

  /** An append of nothing writes nothing (ES-21); only its expectation is checked. */
  private async checkLastSequence(persistenceId: string, entityId: string, expected: bigint): Promise<void> {
    const actual = await this.lastSequence(persistenceId, entityId);
    if (actual !== expected) throw new ConcurrencyError(persistenceId, entityId, expected, actual);
  }

  private write(item: WriteItem<BatchedWrite>): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError("the store is closed"));
    return this.committer.submit(item);
  }

  private async read<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
    if (this.closed) throw new StoreUnavailableError("the store is closed");
    try {
      const result = await this.pool.query<R>({ name, text, values });
      return result.rows;
    } catch (e) {
      throw unavailable("PostgreSQL read failed", e, false);
    }
  }
}

interface PayloadRow {
  type_url: string;
  payload: Buffer;
}

/** A plain Uint8Array view of the driver's Buffer: no copy, and payloads compare equal whatever the backend. */
function toAny(row: PayloadRow): Any {
  const bytes = row.payload;
  return { typeUrl: row.type_url, value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * One statement that checks the journal's last sequence and, only if it is `expected`, inserts the
 * events at expected+1.. (in list order, so event-log offsets follow sequences) and upserts the
 * snapshot. Returns the last sequence it found; the caller compares it to `expected`. Runs under the
 * persistence id's journal lock (see WriteItem.lockKey), and the primary key rejects any
 * interleaving that would slip past the check.
 */
function appendQuery(
  persistenceId: string,
  entityId: string,
  expected: bigint,
  events: readonly Any[],
  snapshot: Any | undefined,
): pg.QueryConfig {
  const values: unknown[] = [persistenceId, entityId, expected];
  for (const event of events) values.push(event.typeUrl, event.value);
  if (snapshot !== undefined) values.push(snapshot.typeUrl, snapshot.value);
  const prepared = events.length <= MAX_PREPARED_EVENTS;
  const text = prepared ? cachedAppendText(events.length, snapshot !== undefined) : appendText(events.length, snapshot !== undefined);
  return prepared ? { name: `cs_append_${events.length}_${snapshot === undefined ? 0 : 1}`, text, values } : { text, values };
}

const appendTexts = new Map<string, string>();

function cachedAppendText(eventCount: number, withSnapshot: boolean): string {
  const key = `${eventCount}:${withSnapshot}`;
  let text = appendTexts.get(key);
  if (text === undefined) {
    text = appendText(eventCount, withSnapshot);
    appendTexts.set(key, text);
  }
  return text;
}

/** The statement of appendQuery for `eventCount` (at least 1) events. */
function appendText(eventCount: number, withSnapshot: boolean): string {
  const head = `head AS (
    SELECT coalesce(max(sequence), 0) AS last FROM cloudstate_journal
    WHERE persistence_id = $1::text AND entity_id = $2::text)`;
  const rows: string[] = [];
  for (let i = 0; i < eventCount; i++) rows.push(`(${i + 1}, $${4 + 2 * i}::text, $${5 + 2 * i}::bytea)`);
  const insert = `ins AS (
    INSERT INTO cloudstate_journal (persistence_id, entity_id, sequence, type_url, payload)
    SELECT $1::text, $2::text, $3::bigint + e.n, e.type_url, e.payload
    FROM head, (VALUES ${rows.join(", ")}) AS e(n, type_url, payload)
    WHERE head.last = $3::bigint
    ORDER BY e.n)`;
  const parts = [head, insert];
  if (withSnapshot) {
    const at = 4 + 2 * eventCount;
    parts.push(`snap AS (
      INSERT INTO cloudstate_snapshots AS s (persistence_id, entity_id, sequence, type_url, payload)
      SELECT $1::text, $2::text, $3::bigint + ${eventCount}, $${at}::text, $${at + 1}::bytea
      FROM head WHERE head.last = $3::bigint
      ON CONFLICT (persistence_id, entity_id) DO UPDATE
      SET sequence = excluded.sequence, type_url = excluded.type_url, payload = excluded.payload,
          written_at = excluded.written_at
      WHERE s.sequence < excluded.sequence)`);
  }
  return `WITH ${parts.join(",\n")}\nSELECT last FROM head`;
}
