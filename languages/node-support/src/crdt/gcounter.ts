import type { crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { MAX_UINT64, toBigInt } from "./counter-range.js";

/** A grow-only counter (spec/crdt.md §5.1): it can only be incremented. */
export class GCounter implements Crdt {
  readonly type = "GCounter";
  private current = 0n;
  private pending = 0n;

  /** The counter's value. */
  get value(): bigint {
    return this.current;
  }

  /** Adds `by` (≥ 0) to the counter; RangeError if negative or if the value would exceed 2^64 − 1 (CRDT-37). */
  increment(by: bigint | number): this {
    const amount = toBigInt(by, "GCounter increment");
    if (amount < 0n) throw new RangeError(`GCounter increment must not be negative, got ${amount}`);
    if (this.current + amount > MAX_UINT64) throw new RangeError("GCounter value would exceed 2^64 - 1 (CRDT-37)");
    this.current += amount;
    this.pending += amount;
    return this;
  }

  hasDelta(): boolean {
    // A zero increment is not a change (CRDT-26).
    return this.pending !== 0n;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    const increment = this.pending;
    this.pending = 0n;
    return { delta: { $case: "gcounter", value: { increment } } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    const { increment } = expectDelta(delta, "gcounter");
    if (increment < 0n) throw new CrdtDeltaError("CRDT-37", `negative GCounter increment ${increment}`);
    if (this.current + increment > MAX_UINT64) throw new CrdtDeltaError("CRDT-37", "GCounter delta raises the value above 2^64 - 1");
    this.current += increment;
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "gcounter", value: { value: this.current } } };
  }

  /** A counter holding `state`'s value, with no local changes. */
  static fromState(state: crdt.GCounterState): GCounter {
    const counter = new GCounter();
    if (state.value < 0n || state.value > MAX_UINT64) throw new CrdtDeltaError("CRDT-37", `GCounter value ${state.value} out of range`);
    counter.current = state.value;
    return counter;
  }
}
