import type { Any, crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { type CrdtValueOptions, elementKey, type Packed, ValuePacker } from "./crdt-values.js";

/**
 * An observed-remove set (spec/crdt.md §5.4): elements can be added and removed.
 * Elements are identified by their packed form (see `CrdtValueOptions`).
 *
 * The delta of one round is built so that it satisfies CRDT-45 to CRDT-47
 * relative to the value at the start of the round: after a clear it lists no
 * removals; an element added and deleted again in the round does not appear; an
 * element that was present, deleted and added again appears in both `removed`
 * and `added` (a replicating proxy gives it a fresh dot, so the new addition wins
 * over a concurrent removal elsewhere).
 */
export class ORSet<T = unknown> implements Crdt, Iterable<T> {
  readonly type = "ORSet";
  private readonly packer: ValuePacker<T>;
  private readonly elements = new Map<string, Packed<T>>();
  private cleared = false;
  /** Elements present at the start of the round and deleted since (empty once cleared). */
  private readonly removed = new Map<string, Any>();
  /** Elements absent after the clear and removals, and present now. */
  private readonly added = new Map<string, Any>();

  constructor(options: CrdtValueOptions<T> = {}) {
    this.packer = new ValuePacker(options);
  }

  /** The number of elements. */
  get size(): number {
    return this.elements.size;
  }

  /** Whether `value` is an element. */
  has(value: T): boolean {
    return this.elements.has(elementKey(this.packer.pack(value)));
  }

  /** Adds `value`; adding an element already present changes nothing. */
  add(value: T): this {
    const any = this.packer.pack(value);
    const key = elementKey(any);
    if (this.elements.has(key)) return this;
    this.elements.set(key, { any, value });
    this.added.set(key, any);
    return this;
  }

  /** Removes `value`; returns whether it was present. */
  delete(value: T): boolean {
    const key = elementKey(this.packer.pack(value));
    const element = this.elements.get(key);
    if (element === undefined) return false;
    this.elements.delete(key);
    // Added in this round: forgetting the addition is enough. Otherwise it was
    // present at the start of the round, and a clear would already have removed it.
    if (!this.added.delete(key)) this.removed.set(key, element.any);
    return true;
  }

  /** Removes every element. */
  clear(): void {
    if (this.elements.size === 0) return;
    this.cleared = true;
    this.removed.clear();
    this.added.clear();
    this.elements.clear();
  }

  /** The elements, in no meaningful order. */
  *values(): IterableIterator<T> {
    for (const element of this.elements.values()) yield element.value;
  }

  /** Iterates over the elements, as `values()` does. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }

  hasDelta(): boolean {
    return this.cleared || this.removed.size > 0 || this.added.size > 0;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    const value: crdt.ORSetDelta = { cleared: this.cleared, removed: [...this.removed.values()], added: [...this.added.values()] };
    this.cleared = false;
    this.removed.clear();
    this.added.clear();
    return { delta: { $case: "orset", value } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    const { cleared, removed, added } = expectDelta(delta, "orset");
    // Checked on a copy of the keys first, so that a bad delta changes nothing.
    const keys = new Set(cleared ? [] : this.elements.keys());
    const removedKeys = new Set<string>();
    for (const any of removed) {
      const key = elementKey(any);
      if (removedKeys.has(key)) throw new CrdtDeltaError("CRDT-47", "ORSet delta removes an element twice");
      if (!keys.delete(key)) throw new CrdtDeltaError("CRDT-45", "ORSet delta removes an element that is not present");
      removedKeys.add(key);
    }
    const fresh = new Map<string, Packed<T>>();
    for (const any of added) {
      const key = elementKey(any);
      if (fresh.has(key)) throw new CrdtDeltaError("CRDT-47", "ORSet delta adds an element twice");
      if (keys.has(key)) throw new CrdtDeltaError("CRDT-46", "ORSet delta adds an element that is already present");
      fresh.set(key, { any, value: this.packer.unpack(any) });
    }
    if (cleared) this.elements.clear();
    for (const key of removedKeys) this.elements.delete(key);
    for (const [key, element] of fresh) this.elements.set(key, element);
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "orset", value: { items: [...this.elements.values()].map((e) => e.any) } } };
  }

  /** A set holding `state`'s elements, with no local changes. */
  static fromState<T>(state: crdt.ORSetState, options: CrdtValueOptions<T> = {}): ORSet<T> {
    const set = new ORSet<T>(options);
    for (const any of state.items) {
      const key = elementKey(any);
      if (set.elements.has(key)) throw new CrdtDeltaError("CRDT-44", "ORSet state lists an element twice");
      set.elements.set(key, { any, value: set.packer.unpack(any) });
    }
    return set;
  }
}
