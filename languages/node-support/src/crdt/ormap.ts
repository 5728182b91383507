import type { Any, crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { crdtFromState } from "./crdt-from-state.js";
import { type CrdtValueOptions, elementKey, ValuePacker } from "./crdt-values.js";

interface Entry<K> {
  readonly keyAny: Any;
  readonly key: K;
  readonly value: Crdt;
}

/**
 * An observed-remove map (spec/crdt.md §5.7) whose values are CRDTs, possibly of
 * different types per key. Keys are identified by their packed form (see
 * `CrdtValueOptions`). Values are changed in place (`map.get(k)` then operate on
 * it); their changes become `updated` entries of the map's delta. A value must
 * belong to one map entry only.
 *
 * The delta of one round satisfies CRDT-59 to CRDT-62 relative to the value at
 * the start of the round: a key set to a new value replaces the old entry
 * (`removed` and `added`); a key added and deleted again in the round does not
 * appear; after a clear, no removals are listed.
 */
export class ORMap<K = unknown> implements Crdt, Iterable<[K, Crdt]> {
  readonly type = "ORMap";
  private readonly packer: ValuePacker<K>;
  private readonly map = new Map<string, Entry<K>>();
  private cleared = false;
  /** Keys present at the start of the round and removed or replaced since (empty once cleared). */
  private readonly removed = new Map<string, Any>();
  /** Keys whose current entry was set in this round: sent with their full value. */
  private readonly added = new Set<string>();

  constructor(options: CrdtValueOptions<K> = {}) {
    this.packer = new ValuePacker(options);
  }

  /** The number of entries. */
  get size(): number {
    return this.map.size;
  }

  /** Whether `key` has an entry. */
  has(key: K): boolean {
    return this.map.has(elementKey(this.packer.pack(key)));
  }

  /** The value of `key`, if any. */
  get(key: K): Crdt | undefined {
    return this.map.get(elementKey(this.packer.pack(key)))?.value;
  }

  /**
   * The value of `key`, created with `create` if absent. `create` is also called
   * when the key exists, to check that the existing value has the type asked for
   * (TypeError otherwise), since a key's type cannot change in place (CRDT-6).
   */
  getOrCreate<C extends Crdt>(key: K, create: () => C): C {
    const existing = this.get(key);
    const fresh = create();
    if (existing === undefined) {
      this.set(key, fresh);
      return fresh;
    }
    if (existing.type !== fresh.type) throw new TypeError(`ORMap key holds a ${existing.type}, not a ${fresh.type}`);
    // Same protocol type implies the same class: each type has exactly one class.
    return existing as C;
  }

  /** Sets `key` to `value`, replacing any existing entry (and its type). */
  set(key: K, value: Crdt): this {
    const keyAny = this.packer.pack(key);
    const id = elementKey(keyAny);
    this.deleteById(id);
    this.map.set(id, { keyAny, key, value });
    this.added.add(id);
    return this;
  }

  /** Removes `key`'s entry; returns whether there was one. */
  delete(key: K): boolean {
    return this.deleteById(elementKey(this.packer.pack(key)));
  }

  /** Removes every entry. */
  clear(): void {
    if (this.map.size === 0) return;
    this.cleared = true;
    this.removed.clear();
    this.added.clear();
    this.map.clear();
  }

  /** The keys, in no meaningful order. */
  *keys(): IterableIterator<K> {
    for (const entry of this.map.values()) yield entry.key;
  }

  /** The values, in no meaningful order. */
  *values(): IterableIterator<Crdt> {
    for (const entry of this.map.values()) yield entry.value;
  }

  /** The entries, in no meaningful order. */
  *entries(): IterableIterator<[K, Crdt]> {
    for (const entry of this.map.values()) yield [entry.key, entry.value];
  }

  /** Iterates over the `[key, value]` entries, as `entries()` does. */
  [Symbol.iterator](): IterableIterator<[K, Crdt]> {
    return this.entries();
  }

  hasDelta(): boolean {
    if (this.cleared || this.removed.size > 0 || this.added.size > 0) return true;
    for (const entry of this.map.values()) if (entry.value.hasDelta()) return true;
    return false;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    const updated: crdt.ORMapEntryDelta[] = [];
    const added: crdt.ORMapEntry[] = [];
    for (const [id, entry] of this.map) {
      if (this.added.has(id)) {
        added.push({ key: entry.keyAny, value: entry.value.toState() });
        // The full value carries these changes already.
        entry.value.getAndResetDelta();
      } else {
        const delta = entry.value.getAndResetDelta();
        if (delta !== undefined) updated.push({ key: entry.keyAny, delta });
      }
    }
    const value: crdt.ORMapDelta = { cleared: this.cleared, removed: [...this.removed.values()], updated, added };
    this.cleared = false;
    this.removed.clear();
    this.added.clear();
    return { delta: { $case: "ormap", value } };
  }

  /**
   * Applies a delta from the proxy: clear, then remove, then update, then add.
   * The key rules are checked before anything changes; an invalid nested delta
   * is only found while applying it, leaving the map partly changed.
   */
  applyDelta(delta: crdt.CrdtDelta): void {
    const { cleared, removed, updated, added } = expectDelta(delta, "ormap");
    const keys = new Set(cleared ? [] : this.map.keys());
    const removals = withIds(removed, (key) => key, "removed", (id) => {
      if (!keys.delete(id)) throw new CrdtDeltaError("CRDT-59", "ORMap delta removes a key that is not present");
    });
    const updates = withIds(updated, (u) => u.key, "updated", (id, u) => {
      if (!keys.has(id)) throw new CrdtDeltaError("CRDT-60", "ORMap delta updates a key that is not present");
      const type = this.map.get(id)?.value.type.toLowerCase();
      if (u.delta?.delta?.$case !== type) throw new CrdtDeltaError("CRDT-63", `ORMap delta updates a ${type ?? "missing"} value with a ${u.delta?.delta?.$case ?? "missing"} delta`);
    });
    const additions = withIds(added, (a) => a.key, "added", (id) => {
      if (keys.has(id)) throw new CrdtDeltaError("CRDT-61", "ORMap delta adds a key that is already present");
    }).map(([id, entry]): [string, Entry<K>] => {
      if (entry.value === undefined) throw new CrdtDeltaError("CRDT-58", "ORMap delta adds an entry without a value");
      return [id, this.entryFromProxy(entry.key, entry.value)];
    });
    if (cleared) this.map.clear();
    for (const [id] of removals) this.map.delete(id);
    for (const [id, update] of updates) if (update.delta !== undefined) this.map.get(id)?.value.applyDelta(update.delta);
    for (const [id, entry] of additions) this.map.set(id, entry);
  }

  toState(): crdt.CrdtState {
    const entries = [...this.map.values()].map((e) => ({ key: e.keyAny, value: e.value.toState() }));
    return { state: { $case: "ormap", value: { entries } } };
  }

  /** A map holding `state`'s entries, with no local changes; nested values are built with `crdtFromState`. */
  static fromState<K>(state: crdt.ORMapState, options: CrdtValueOptions<K> = {}): ORMap<K> {
    const map = new ORMap<K>(options);
    for (const entry of state.entries) {
      if (entry.key === undefined || entry.value === undefined) throw new CrdtDeltaError("CRDT-58", "ORMap state has an entry without a key or value");
      const id = elementKey(entry.key);
      if (map.map.has(id)) throw new CrdtDeltaError("CRDT-57", "ORMap state lists a key twice");
      map.map.set(id, map.entryFromProxy(entry.key, entry.value));
    }
    return map;
  }

  private entryFromProxy(keyAny: Any | undefined, state: crdt.CrdtState): Entry<K> {
    if (keyAny === undefined) throw new CrdtDeltaError("CRDT-58", "ORMap entry has no key");
    return { keyAny, key: this.packer.unpack(keyAny), value: crdtFromState(state, this.packer.anySupport) };
  }

  private deleteById(id: string): boolean {
    const entry = this.map.get(id);
    if (entry === undefined) return false;
    this.map.delete(id);
    // Set in this round: forgetting it is enough. Otherwise it was present at the
    // start of the round, and a clear would already have removed it.
    if (!this.added.delete(id)) this.removed.set(id, entry.keyAny);
    return true;
  }
}

/**
 * Pairs each item of one list of an ORMap delta with the id of its key, checking
 * each with `check`; CRDT-62 forbids a key twice in one list.
 */
function withIds<T>(items: readonly T[], keyOf: (item: T) => Any | undefined, list: string, check: (id: string, item: T) => void): [string, T][] {
  const seen = new Set<string>();
  return items.map((item) => {
    const key = keyOf(item);
    if (key === undefined) throw new CrdtDeltaError("CRDT-58", `ORMap delta has a key missing in ${list}`);
    const id = elementKey(key);
    if (seen.has(id)) throw new CrdtDeltaError("CRDT-62", `ORMap delta lists a key twice in ${list}`);
    seen.add(id);
    check(id, item);
    return [id, item];
  });
}
