import type { crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { MAX_INT64, MIN_INT64, toBigInt } from "./counter-range.js";

/** A counter that can be incremented and decremented (spec/crdt.md §5.2). */
export class PNCounter implements Crdt {
  readonly type = "PNCounter";
  private current = 0n;
  private pending = 0n;

  /** The counter's value. */
  get value(): bigint {
    return this.current;
  }

  /** Adds `by` (may be negative); RangeError if the value would leave the int64 range (CRDT-39). */
  increment(by: bigint | number): this {
    const amount = toBigInt(by, "PNCounter increment");
    const next = this.current + amount;
    if (next < MIN_INT64 || next > MAX_INT64) throw new RangeError("PNCounter value would leave the int64 range (CRDT-39)");
    const pending = this.pending + amount;
    // The delta's change is a sint64 as well.
    if (pending < MIN_INT64 || pending > MAX_INT64) throw new RangeError("PNCounter change since the last delta would leave the int64 range");
    this.current = next;
    this.pending = pending;
    return this;
  }

  /** Subtracts `by` (may be negative); RangeError if the value would leave the int64 range (CRDT-39). */
  decrement(by: bigint | number): this {
    return this.increment(-toBigInt(by, "PNCounter decrement"));
  }

  hasDelta(): boolean {
    // Changes that cancel out are no change (CRDT-26).
    return this.pending !== 0n;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    const change = this.pending;
    this.pending = 0n;
    return { delta: { $case: "pncounter", value: { change } } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    const { change } = expectDelta(delta, "pncounter");
    const next = this.current + change;
    if (next < MIN_INT64 || next > MAX_INT64) throw new CrdtDeltaError("CRDT-39", "PNCounter delta takes the value outside the int64 range");
    this.current = next;
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "pncounter", value: { value: this.current } } };
  }

  /** A counter holding `state`'s value, with no local changes. */
  static fromState(state: crdt.PNCounterState): PNCounter {
    const counter = new PNCounter();
    counter.current = state.value;
    return counter;
  }
}
