// The statements that perform many writes of one group-commit batch at once (see GroupCommitter):
// all the journal appends of a batch in one statement, all its value saves in another, all its
// offset saves in a third, so that a batch costs a fixed number of round trips however many
// writes it carries. The writes travel as parallel arrays (unnest), so each statement has a
// fixed text and parameter count and is prepared once per connection.
//
// Each write still has its own outcome: an append whose journal does not end where it expected
// writes nothing and fails alone with ConcurrencyError, exactly as when it runs on its own.

import type { Any } from "@cloudstate/protocol";
import type { CombinedStatement, CombineWrites } from "./group-commit.js";
import { ConcurrencyError } from "./store.js";

/** A write of the PostgreSQL store, as data a combined statement can carry. */
export type BatchedWrite =
  | {
      readonly kind: "append";
      readonly persistenceId: string;
      readonly entityId: string;
      readonly expected: bigint;
      readonly events: readonly Any[];
      readonly snapshot: Any | undefined;
    }
  | { readonly kind: "value"; readonly persistenceId: string; readonly entityId: string; readonly value: Any | undefined }
  | { readonly kind: "offset"; readonly consumerGroup: string; readonly source: string; readonly offset: bigint };

type Of<K extends BatchedWrite["kind"]> = Extract<BatchedWrite, { kind: K }>;

/** How the store's writes combine (GroupCommitter's hook). */
export const COMBINE_POSTGRES_WRITES: CombineWrites<BatchedWrite> = {
  key(write) {
    switch (write.kind) {
      case "append":
        return `append\u0000${write.persistenceId}\u0000${write.entityId}`;
      case "value":
        return `value\u0000${write.persistenceId}\u0000${write.entityId}`;
      case "offset":
        return `offset\u0000${write.consumerGroup}\u0000${write.source}`;
    }
  },
  statements(writes) {
    const appends: Indexed<Of<"append">>[] = [];
    const values: Indexed<Of<"value">>[] = [];
    const offsets: Indexed<Of<"offset">>[] = [];
    writes.forEach((write, index) => {
      if (write.kind === "append") appends.push({ index, write });
      else if (write.kind === "value") values.push({ index, write });
      else offsets.push({ index, write });
    });
    const statements: CombinedStatement[] = [];
    if (appends.length > 0) statements.push(appendsStatement(appends));
    if (values.length > 0) statements.push(valuesStatement(values));
    if (offsets.length > 0) statements.push(offsetsStatement(offsets));
    return statements;
  },
};

interface Indexed<W> {
  /** Position among the writes given to `statements`. */
  readonly index: number;
  readonly write: W;
}

/**
 * Every append checks its own journal's last sequence (all against the snapshot the statement
 * starts from; two appends to one journal are never combined) and only when it is the expected
 * one inserts its events, in list order so event-log offsets follow sequences, and upserts its
 * snapshot. The rows give each append the last sequence it found.
 */
const APPENDS_TEXT = `WITH w AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
      AS w(item, persistence_id, entity_id, expected, events)),
  head AS (
    SELECT w.*, (SELECT coalesce(max(j.sequence), 0) FROM cloudstate_journal j
                 WHERE j.persistence_id = w.persistence_id AND j.entity_id = w.entity_id) AS last
    FROM w),
  ins AS (
    INSERT INTO cloudstate_journal (persistence_id, entity_id, sequence, type_url, payload)
    SELECT h.persistence_id, h.entity_id, h.expected + e.n, e.type_url, e.payload
    FROM unnest($6::int[], $7::bigint[], $8::text[], $9::bytea[]) WITH ORDINALITY AS e(item, n, type_url, payload, ord)
    JOIN head h ON h.item = e.item
    WHERE h.last = h.expected
    ORDER BY e.ord),
  snap AS (
    INSERT INTO cloudstate_snapshots AS s (persistence_id, entity_id, sequence, type_url, payload)
    SELECT h.persistence_id, h.entity_id, h.expected + h.events, sn.type_url, sn.payload
    FROM unnest($10::int[], $11::text[], $12::bytea[]) AS sn(item, type_url, payload)
    JOIN head h ON h.item = sn.item
    WHERE h.last = h.expected
    ON CONFLICT (persistence_id, entity_id) DO UPDATE
    SET sequence = excluded.sequence, type_url = excluded.type_url, payload = excluded.payload,
        written_at = excluded.written_at
    WHERE s.sequence < excluded.sequence)
SELECT item, last FROM head`;

function appendsStatement(appends: readonly Indexed<Of<"append">>[]): CombinedStatement {
  const items: number[] = [];
  const persistenceIds: string[] = [];
  const entityIds: string[] = [];
  const expected: bigint[] = [];
  const counts: number[] = [];
  const eventItems: number[] = [];
  const eventNumbers: number[] = [];
  const typeUrls: string[] = [];
  const payloads: Uint8Array[] = [];
  const snapshotItems: number[] = [];
  const snapshotTypeUrls: string[] = [];
  const snapshotPayloads: Uint8Array[] = [];
  appends.forEach(({ write }, item) => {
    items.push(item);
    persistenceIds.push(write.persistenceId);
    entityIds.push(write.entityId);
    expected.push(write.expected);
    counts.push(write.events.length);
    write.events.forEach((event, i) => {
      eventItems.push(item);
      eventNumbers.push(i + 1);
      typeUrls.push(event.typeUrl);
      payloads.push(event.value);
    });
    if (write.snapshot !== undefined) {
      snapshotItems.push(item);
      snapshotTypeUrls.push(write.snapshot.typeUrl);
      snapshotPayloads.push(write.snapshot.value);
    }
  });
  return {
    query: {
      name: "cs_append_batch",
      text: APPENDS_TEXT,
      values: [items, persistenceIds, entityIds, expected, counts, eventItems, eventNumbers, typeUrls, payloads, snapshotItems, snapshotTypeUrls, snapshotPayloads],
    },
    writes: appends.map((a) => a.index),
    outcomes(rows) {
      const last = new Map<number, bigint>();
      for (const row of rows as readonly { item: number; last: string }[]) last.set(row.item, BigInt(row.last));
      return appends.map(({ write }, item) => {
        const actual = last.get(item);
        if (actual === undefined) return new Error(`the combined append returned no row for write ${item}`);
        return actual === write.expected ? undefined : new ConcurrencyError(write.persistenceId, write.entityId, write.expected, actual);
      });
    },
  };
}

/** Value saves (a NULL type URL deletes) of distinct entities. */
const VALUES_TEXT = `WITH v AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS v(persistence_id, entity_id, type_url, payload)),
  del AS (
    DELETE FROM cloudstate_values d USING v
    WHERE v.type_url IS NULL AND d.persistence_id = v.persistence_id AND d.entity_id = v.entity_id)
INSERT INTO cloudstate_values (persistence_id, entity_id, type_url, payload)
SELECT persistence_id, entity_id, type_url, payload FROM v WHERE type_url IS NOT NULL
ON CONFLICT (persistence_id, entity_id) DO UPDATE
SET type_url = excluded.type_url, payload = excluded.payload, written_at = excluded.written_at`;

function valuesStatement(values: readonly Indexed<Of<"value">>[]): CombinedStatement {
  return {
    query: {
      name: "cs_save_value_batch",
      text: VALUES_TEXT,
      values: [
        values.map(({ write }) => write.persistenceId),
        values.map(({ write }) => write.entityId),
        values.map(({ write }) => write.value?.typeUrl ?? null),
        values.map(({ write }) => write.value?.value ?? null),
      ],
    },
    writes: values.map((v) => v.index),
    outcomes: () => values.map(() => undefined),
  };
}

/** Offset saves of distinct (consumer group, source) pairs. */
const OFFSETS_TEXT = `INSERT INTO cloudstate_eventing_offsets (consumer_group, source, event_offset)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
ON CONFLICT (consumer_group, source) DO UPDATE
SET event_offset = excluded.event_offset, written_at = excluded.written_at`;

function offsetsStatement(offsets: readonly Indexed<Of<"offset">>[]): CombinedStatement {
  return {
    query: {
      name: "cs_save_offset_batch",
      text: OFFSETS_TEXT,
      values: [offsets.map(({ write }) => write.consumerGroup), offsets.map(({ write }) => write.source), offsets.map(({ write }) => write.offset)],
    },
    writes: offsets.map((o) => o.index),
    outcomes: () => offsets.map(() => undefined),
  };
}
