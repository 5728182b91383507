import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { DotKernel } from "./dot-kernel.js";
import { type Clock, type DotSource, type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { replicatedFromCreate } from "./replicated-from-create.js";
import { diffViews } from "./view-delta.js";

/** What one dot of a key carries: the key, and the key's value as of that addition or update. */
interface Entry {
  readonly key: string;
  readonly keyAny: Any;
  /** Never changed once in the map: an update makes a new entry. */
  readonly value: ReplicatedCrdt;
}

/**
 * An observed-remove map of CRDTs (spec/crdt.md §5.7, CRDT-64). Keys are
 * handled as in an ORSet, and every addition *or update* of a key is a new dot
 * carrying the key's whole new value; a key's value is the merge of the values
 * of its surviving dots. Hence:
 *
 * - concurrent updates of a key at two replicas both survive, and their values
 *   merge by the value's own type;
 * - an update concurrent with a removal survives it (add wins). Its value
 *   merges with the other surviving values; what the removal observed stays
 *   removed inside nested ORSets and ORMaps (their dots are covered by the
 *   remover's context), while a nested counter, register, flag or vote comes
 *   back whole, including what it held before the removal;
 * - concurrent values of different types resolve by CRDT-65 (in `merge`).
 *
 * Every dot a replica creates in the map or any value nested in it comes from
 * the map's own counter (its `DotSource`), so nested ORSets and ORMaps never
 * reuse a dot even when a key is removed and created again.
 */
export class ORMap implements ReplicatedCrdt {
  readonly type = "ORMap";

  constructor(private kernel = DotKernel.empty<Entry>()) {}

  /** A map of `entries`, each created at `replica` (CRDT-57, CRDT-58). */
  static of(entries: readonly crdt.ORMapEntry[], replica: string, clock: Clock, dots?: DotSource): ORMap {
    const map = new ORMap();
    const source = dots ?? map.kernel.nextCounter;
    for (const entry of entries) {
      if (entry.key === undefined || entry.value === undefined) throw new CrdtViolation("CRDT-58", "ORMap entry without a key or value");
      const key = anyKey(entry.key);
      if (map.kernel.has(key)) throw new CrdtViolation("CRDT-57", "ORMap state lists a key twice");
      map.kernel.add(replica, { key, keyAny: entry.key, value: replicatedFromCreate(entry.value, replica, clock, source) }, source);
    }
    return map;
  }

  /** The value of the key with identity `key` (see `anyKey`): the merge of its dots' values. */
  valueOf(key: string): ReplicatedCrdt | undefined {
    return this.kernel.payloads(key).reduce<ReplicatedCrdt | undefined>((merged, entry) => merged?.merge(entry.value) ?? entry.value, undefined);
  }

  /** The identities of the keys present. */
  keys(): string[] {
    return [...this.kernel.keys()];
  }

  /** Applies clear, removals, updates, then additions (CRDT-59 to CRDT-63), all or nothing. */
  applyLocalDelta(delta: crdt.CrdtDelta, replica: string, clock: Clock, dots?: DotSource): void {
    const { cleared, removed, updated, added } = expectLocalDelta(delta, "ormap");
    const work = this.kernel.clone();
    const source = dots ?? work.nextCounter;
    const view = new ORMap(work);
    if (cleared) work.clear();
    forEachKey(removed, (a) => a, "removed", (key) => {
      if (!work.remove(key)) throw new CrdtViolation("CRDT-59", `ORMap delta removes a key that is not present${cleared ? " after the clear" : ""}`);
    });
    forEachKey(updated, (u) => u.key, "updated", (key, keyAny, update) => {
      const current = view.valueOf(key);
      if (current === undefined) throw new CrdtViolation("CRDT-60", "ORMap delta updates a key that is not present");
      if (update.delta?.delta?.$case !== current.type.toLowerCase()) {
        throw new CrdtViolation("CRDT-63", `ORMap delta updates a ${current.type} with a ${update.delta?.delta?.$case ?? "missing"} delta`);
      }
      const value = current.clone();
      value.applyLocalDelta(update.delta, replica, clock, source);
      work.add(replica, { key, keyAny, value }, source);
    });
    forEachKey(added, (a) => a.key, "added", (key, keyAny, entry) => {
      if (work.has(key)) throw new CrdtViolation("CRDT-61", "ORMap delta adds a key that is already present");
      if (entry.value === undefined) throw new CrdtViolation("CRDT-58", "ORMap delta adds an entry without a value");
      work.add(replica, { key, keyAny, value: replicatedFromCreate(entry.value, replica, clock, source) }, source);
    });
    this.kernel = work;
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof ORMap)) return preferredByType(this, other);
    return new ORMap(this.kernel.join(other.kernel));
  }

  toState(replica: string): crdt.CrdtState {
    const entries = this.keys().flatMap((key) => {
      const keyAny = this.kernel.payloads(key)[0]?.keyAny;
      return keyAny === undefined ? [] : [{ key: keyAny, value: this.valueOf(key)?.toState(replica) }];
    });
    return { state: { $case: "ormap", value: { entries } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState(replica));
  }

  clone(): ORMap {
    return new ORMap(this.kernel.clone());
  }

  canonical(): string {
    return `ORMap${this.kernel.canonical((e) => `${e.key}->${e.value.canonical()}`)}`;
  }
}

/**
 * Calls `visit` for each item of one list of an ORMap delta with its key's
 * identity; CRDT-62 forbids a key twice in one list, CRDT-58 a missing key.
 */
function forEachKey<T>(items: readonly T[], keyOf: (item: T) => Any | undefined, list: string, visit: (key: string, keyAny: Any, item: T) => void): void {
  const seen = new Set<string>();
  for (const item of items) {
    const keyAny = keyOf(item);
    if (keyAny === undefined) throw new CrdtViolation("CRDT-58", `ORMap delta has an entry without a key in ${list}`);
    const key = anyKey(keyAny);
    if (seen.has(key)) throw new CrdtViolation("CRDT-62", `ORMap delta lists a key twice in ${list}`);
    seen.add(key);
    visit(key, keyAny, item);
  }
}
