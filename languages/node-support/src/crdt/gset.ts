import type { Any, crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { type CrdtValueOptions, elementKey, type Packed, ValuePacker } from "./crdt-values.js";

/**
 * A grow-only set (spec/crdt.md §5.3): elements can be added, never removed.
 * Elements are identified by their packed form (see `CrdtValueOptions`).
 */
export class GSet<T = unknown> implements Crdt, Iterable<T> {
  readonly type = "GSet";
  private readonly packer: ValuePacker<T>;
  private readonly elements = new Map<string, Packed<T>>();
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

  /** The elements, in no meaningful order. */
  *values(): IterableIterator<T> {
    for (const element of this.elements.values()) yield element.value;
  }

  /** Iterates over the elements, as `values()` does. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }

  hasDelta(): boolean {
    return this.added.size > 0;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    const added = [...this.added.values()];
    this.added.clear();
    return { delta: { $case: "gset", value: { added } } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    const { added } = expectDelta(delta, "gset");
    const fresh = new Map<string, Packed<T>>();
    for (const any of added) {
      const key = elementKey(any);
      if (this.elements.has(key) || fresh.has(key)) throw new CrdtDeltaError("CRDT-42", "GSet delta adds an element that is already present or listed twice");
      fresh.set(key, { any, value: this.packer.unpack(any) });
    }
    for (const [key, element] of fresh) this.elements.set(key, element);
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "gset", value: { items: [...this.elements.values()].map((e) => e.any) } } };
  }

  /** A set holding `state`'s elements, with no local changes. */
  static fromState<T>(state: crdt.GSetState, options: CrdtValueOptions<T> = {}): GSet<T> {
    const set = new GSet<T>(options);
    for (const any of state.items) {
      const key = elementKey(any);
      if (set.elements.has(key)) throw new CrdtDeltaError("CRDT-41", "GSet state lists an element twice");
      set.elements.set(key, { any, value: set.packer.unpack(any) });
    }
    return set;
  }
}
