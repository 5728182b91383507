import type { crdt } from "@cloudstate/protocol";
import { GCounter } from "./gcounter.js";
import { type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * A counter that goes up and down (spec/crdt.md §5.2): two grow-only counters,
 * P for increments and N for decrements; the value is P − N. Merge merges P and
 * N separately (CRDT-40).
 */
export class PNCounter implements ReplicatedCrdt {
  readonly type = "PNCounter";

  constructor(
    private readonly p = new GCounter(),
    private readonly n = new GCounter(),
  ) {}

  /** P − N. */
  get value(): bigint {
    return this.p.value - this.n.value;
  }

  /** Adds `change` (negative to decrement) at `replica`; CrdtViolation if the value would leave the int64 range (CRDT-39). */
  change(change: bigint, replica: string): void {
    const next = this.value + change;
    if (next < MIN_INT64 || next > MAX_INT64) throw new CrdtViolation("CRDT-39", "PNCounter change takes the value outside the int64 range");
    if (change > 0n) this.p.increment(change, replica);
    else if (change < 0n) this.n.increment(-change, replica);
  }

  applyLocalDelta(delta: crdt.CrdtDelta, replica: string): void {
    this.change(expectLocalDelta(delta, "pncounter").change, replica);
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof PNCounter)) return preferredByType(this, other);
    return new PNCounter(this.p.join(other.p), this.n.join(other.n));
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "pncounter", value: { value: this.value } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): PNCounter {
    return new PNCounter(this.p.clone(), this.n.clone());
  }

  canonical(): string {
    return `PNCounter{p:${this.p.canonical()},n:${this.n.canonical()}}`;
  }
}
