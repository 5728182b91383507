import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { DotKernel } from "./dot-kernel.js";
import { type Clock, type DotSource, type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

interface Element {
  readonly key: string;
  readonly any: Any;
}

/**
 * An observed-remove set (spec/crdt.md §5.4, CRDT-48), add-wins: each addition
 * is tagged with a fresh dot, a removal drops only the dots this replica has
 * seen, so an addition made concurrently elsewhere survives the merge. See
 * `DotKernel` for the merge.
 */
export class ORSet implements ReplicatedCrdt {
  readonly type = "ORSet";

  constructor(private kernel = DotKernel.empty<Element>()) {}

  /** A set of `items`, each added at `replica`; CrdtViolation if one is listed twice (CRDT-44). */
  static of(items: readonly Any[], replica: string, dots?: DotSource): ORSet {
    const set = new ORSet();
    for (const any of items) {
      const key = anyKey(any);
      if (set.kernel.has(key)) throw new CrdtViolation("CRDT-44", "ORSet state lists an element twice");
      set.kernel.add(replica, { key, any }, dots);
    }
    return set;
  }

  /** Applies clear, then removals, then additions (CRDT-45 to CRDT-47), all or nothing. */
  applyLocalDelta(delta: crdt.CrdtDelta, replica: string, _clock: Clock, dots?: DotSource): void {
    const { cleared, removed, added } = expectLocalDelta(delta, "orset");
    const work = this.kernel.clone();
    if (cleared) work.clear();
    const removedKeys = new Set<string>();
    for (const any of removed) {
      const key = anyKey(any);
      if (removedKeys.has(key)) throw new CrdtViolation("CRDT-47", "ORSet delta removes an element twice");
      if (!work.remove(key)) throw new CrdtViolation("CRDT-45", `ORSet delta removes an element that is not present${cleared ? " after the clear" : ""}`);
      removedKeys.add(key);
    }
    const addedKeys = new Set<string>();
    for (const any of added) {
      const key = anyKey(any);
      if (addedKeys.has(key)) throw new CrdtViolation("CRDT-47", "ORSet delta adds an element twice");
      if (work.has(key)) throw new CrdtViolation("CRDT-46", "ORSet delta adds an element that is already present");
      addedKeys.add(key);
      work.add(replica, { key, any }, dots);
    }
    this.kernel = work;
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof ORSet)) return preferredByType(this, other);
    return new ORSet(this.kernel.join(other.kernel));
  }

  toState(): crdt.CrdtState {
    const items = [...this.kernel.keys()].flatMap((key) => this.kernel.payloads(key).slice(0, 1).map((e) => e.any));
    return { state: { $case: "orset", value: { items } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): ORSet {
    return new ORSet(this.kernel.clone());
  }

  canonical(): string {
    return `ORSet${this.kernel.canonical((e) => e.key)}`;
  }
}
