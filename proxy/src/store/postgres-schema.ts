// The PostgreSQL schema of the store and its versioned migrations. Every proxy migrates on start;
// several proxies may start at once against one database, so the whole migration runs in one
// transaction under a transaction-scoped advisory lock: the first proxy migrates, the others wait
// and then find nothing left to do.

import type { PoolClient } from "pg";

/** First key of every advisory lock the store takes, so its locks never collide with an application's. */
export const ADVISORY_LOCK_NAMESPACE = 0x43_53_54_4f; // "CSTO"
/** Second key of the migration lock; journal locks use hashes of persistence ids (see journalLockKey). */
const MIGRATION_LOCK_KEY = 0;

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

/**
 * Append-only list: a released migration is never edited, a schema change is a new version.
 *
 * Journal: the primary key (persistence_id, entity_id, sequence) makes two events with one
 * sequence impossible, whatever the writers do (ES-1, ES-22). `event_offset` orders the event log
 * of a persistence id for eventing. Snapshots keep only the latest per entity (ES-6 only ever
 * reads the latest); journal events are never deleted for a snapshot (ES-4).
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "journal, snapshots, values, eventing offsets",
    statements: [
      `CREATE TABLE cloudstate_journal (
         persistence_id text NOT NULL,
         entity_id text NOT NULL,
         sequence bigint NOT NULL CHECK (sequence > 0),
         event_offset bigint GENERATED ALWAYS AS IDENTITY,
         type_url text NOT NULL,
         payload bytea NOT NULL,
         written_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (persistence_id, entity_id, sequence)
       )`,
      `CREATE UNIQUE INDEX cloudstate_journal_event_log ON cloudstate_journal (persistence_id, event_offset)`,
      `CREATE TABLE cloudstate_snapshots (
         persistence_id text NOT NULL,
         entity_id text NOT NULL,
         sequence bigint NOT NULL,
         type_url text NOT NULL,
         payload bytea NOT NULL,
         written_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (persistence_id, entity_id)
       )`,
      `CREATE TABLE cloudstate_values (
         persistence_id text NOT NULL,
         entity_id text NOT NULL,
         type_url text NOT NULL,
         payload bytea NOT NULL,
         written_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (persistence_id, entity_id)
       )`,
      `CREATE TABLE cloudstate_eventing_offsets (
         consumer_group text NOT NULL,
         source text NOT NULL,
         event_offset bigint NOT NULL,
         written_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (consumer_group, source)
       )`,
    ],
  },
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The database was migrated by a newer proxy, whose schema this code may misread. */
export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";

  constructor(readonly databaseVersion: number) {
    super(
      `the database schema is at version ${databaseVersion}, newer than this proxy's ${SCHEMA_VERSION}; ` +
        "upgrade the proxy",
    );
  }
}

/**
 * Brings the database to {@link SCHEMA_VERSION}. Idempotent, and safe when several proxies run
 * it at once. Returns the versions it applied (empty when the schema was already current).
 * Refuses a database migrated by a newer proxy, whose schema this code may misread.
 */
export async function migrate(client: PoolClient): Promise<number[]> {
  const applied: number[] = [];
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS cloudstate_schema_migrations (
         version integer PRIMARY KEY,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const result = await client.query<{ version: number }>("SELECT version FROM cloudstate_schema_migrations");
    const done = new Set(result.rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    if (newest > SCHEMA_VERSION) throw new SchemaTooNewError(newest);
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query("INSERT INTO cloudstate_schema_migrations (version, description) VALUES ($1, $2)", [
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    return applied;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/**
 * Second key of the advisory lock that serialises writers of one persistence id's journal (see
 * GroupCommitter). A 32-bit FNV-1a hash of the UTF-16 code units: every proxy computes the same
 * key, and a collision only serialises two persistence ids needlessly.
 */
export function journalLockKey(persistenceId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < persistenceId.length; i++) {
    hash ^= persistenceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Key 0 belongs to the migration lock.
  return (hash | 0) === MIGRATION_LOCK_KEY ? 1 : hash | 0;
}
