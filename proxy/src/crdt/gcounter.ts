import type { crdt } from "@cloudstate/protocol";
import { compareStrings } from "./any-key.js";
import { canonicalText, type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

/** Largest GCounter value: the wire type is uint64 (CRDT-37). */
export const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * A grow-only counter (spec/crdt.md §5.1): one count per replica, each only
 * growing; the value is their sum. Merge keeps each replica's greater count (CRDT-38).
 */
export class GCounter implements ReplicatedCrdt {
  readonly type = "GCounter";

  constructor(private readonly counts = new Map<string, bigint>()) {}

  /** The sum of the replicas' counts. */
  get value(): bigint {
    let sum = 0n;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Adds `amount` (≥ 0) to `replica`'s count; CrdtViolation if the value would exceed 2^64 − 1 (CRDT-37). */
  increment(amount: bigint, replica: string): void {
    if (amount < 0n) throw new CrdtViolation("CRDT-37", `negative GCounter increment ${amount}`);
    if (this.value + amount > MAX_UINT64) throw new CrdtViolation("CRDT-37", "GCounter increment raises the value above 2^64 - 1");
    if (amount > 0n) this.counts.set(replica, (this.counts.get(replica) ?? 0n) + amount);
  }

  applyLocalDelta(delta: crdt.CrdtDelta, replica: string): void {
    this.increment(expectLocalDelta(delta, "gcounter").increment, replica);
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    return other instanceof GCounter ? this.join(other) : preferredByType(this, other);
  }

  /** The merge with another GCounter: per replica, the greater count. */
  join(other: GCounter): GCounter {
    const counts = new Map(this.counts);
    for (const [replica, count] of other.counts) if ((counts.get(replica) ?? 0n) < count) counts.set(replica, count);
    return new GCounter(counts);
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "gcounter", value: { value: this.value } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): GCounter {
    return new GCounter(new Map(this.counts));
  }

  canonical(): string {
    return `GCounter${canonicalText([...this.counts].sort(([a], [b]) => compareStrings(a, b)))}`;
  }
}
