import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey, compareStrings } from "./any-key.js";
import { type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

/** A grow-only set (spec/crdt.md §5.3): merge is union (CRDT-43). Elements are kept as received. */
export class GSet implements ReplicatedCrdt {
  readonly type = "GSet";

  constructor(private readonly elements = new Map<string, Any>()) {}

  /** A set of `items`; CrdtViolation if one is listed twice (CRDT-41). */
  static of(items: readonly Any[]): GSet {
    const elements = new Map<string, Any>();
    for (const any of items) {
      const key = anyKey(any);
      if (elements.has(key)) throw new CrdtViolation("CRDT-41", "GSet state lists an element twice");
      elements.set(key, any);
    }
    return new GSet(elements);
  }

  applyLocalDelta(delta: crdt.CrdtDelta): void {
    const { added } = expectLocalDelta(delta, "gset");
    const fresh = new Map<string, Any>();
    for (const any of added) {
      const key = anyKey(any);
      if (this.elements.has(key)) throw new CrdtViolation("CRDT-42", "GSet delta adds an element that is already present");
      if (fresh.has(key)) throw new CrdtViolation("CRDT-42", "GSet delta lists an element twice");
      fresh.set(key, any);
    }
    for (const [key, any] of fresh) this.elements.set(key, any);
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof GSet)) return preferredByType(this, other);
    const elements = new Map(this.elements);
    for (const [key, any] of other.elements) if (!elements.has(key)) elements.set(key, any);
    return new GSet(elements);
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "gset", value: { items: [...this.elements.values()] } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): GSet {
    return new GSet(new Map(this.elements));
  }

  canonical(): string {
    return `GSet[${[...this.elements.keys()].sort(compareStrings).join(",")}]`;
  }
}
