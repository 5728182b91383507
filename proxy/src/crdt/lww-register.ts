import { type Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { canonicalText, type Clock, type ReplicatedCrdt, CrdtViolation, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

/** One write: its value, the clock the user function asked for, and where it sorts. */
export interface Write {
  readonly value: Any;
  readonly clock: crdt.CrdtClock;
  /** As the user function gave it for CUSTOM clocks, 0 otherwise (CRDT-51); reported back in the view. */
  readonly customClockValue: bigint;
  /** The clock value the proxy computed for the write (CRDT-50). */
  readonly timestamp: bigint;
  readonly replica: string;
}

/**
 * The clock value of a write (CRDT-50): `now` is the wall clock in ms,
 * `current` the clock value of the register's current write (0 for a create).
 */
export function clockValue(clock: crdt.CrdtClock, customClockValue: bigint, now: bigint, current: bigint): bigint {
  switch (clock) {
    case crdt.CrdtClock.DEFAULT:
      return now > current ? now : current + 1n;
    case crdt.CrdtClock.REVERSE:
      return -now < current ? -now : current - 1n;
    case crdt.CrdtClock.CUSTOM:
      return customClockValue;
    case crdt.CrdtClock.CUSTOM_AUTO_INCREMENT:
      return customClockValue > current ? customClockValue : current + 1n;
    default:
      throw new CrdtViolation("CRDT-50", `unknown LWWRegister clock ${clock}`);
  }
}

/** Whether `a` wins over `b` by the merge rule: greater clock value, then smaller replica id (CRDT-53). */
function wins(a: Write, b: Write): boolean {
  return a.timestamp !== b.timestamp ? a.timestamp > b.timestamp : a.replica < b.replica;
}

/**
 * Whether `a` is kept over `b` when merging. Beyond the merge rule, two writes
 * with the same clock value and replica are ordered by value, clock and custom
 * value: a replica never makes two such writes (an equal local write does not
 * replace, CRDT-52), but the order keeps the merge commutative on any input.
 */
function keptOver(a: Write, b: Write): boolean {
  if (wins(a, b)) return true;
  if (wins(b, a)) return false;
  return canonicalText([anyKey(a.value), a.clock, a.customClockValue]) >= canonicalText([anyKey(b.value), b.clock, b.customClockValue]);
}

/**
 * A last-write-wins register (spec/crdt.md §5.5): the value of the write with the
 * greatest clock value, ties going to the smaller replica id. A write from the
 * user function is merged in by the same rule (CRDT-52), so a write that does
 * not win leaves the value unchanged (always so for REVERSE on an existing value).
 */
export class LWWRegister implements ReplicatedCrdt {
  readonly type = "LWWRegister";

  constructor(private current: Write) {}

  /** A register created by a write at `replica` (`current` is 0 for a create). */
  static created(state: crdt.LWWRegisterState, replica: string, clock: Clock): LWWRegister {
    return new LWWRegister(makeWrite(state, replica, clock(), 0n));
  }

  /** The current write. */
  get write(): Write {
    return this.current;
  }

  applyLocalDelta(delta: crdt.CrdtDelta, replica: string, clock: Clock): void {
    const candidate = makeWrite(expectLocalDelta(delta, "lwwregister"), replica, clock(), this.current.timestamp);
    if (wins(candidate, this.current)) this.current = candidate;
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof LWWRegister)) return preferredByType(this, other);
    return new LWWRegister(keptOver(this.current, other.current) ? this.current : other.current);
  }

  toState(): crdt.CrdtState {
    const { value, clock, customClockValue } = this.current;
    return { state: { $case: "lwwregister", value: { value, clock, customClockValue } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): LWWRegister {
    return new LWWRegister(this.current);
  }

  canonical(): string {
    const w = this.current;
    return `LWWRegister${canonicalText([anyKey(w.value), w.clock, w.customClockValue, w.timestamp, w.replica])}`;
  }
}

function makeWrite(write: crdt.LWWRegisterState | crdt.LWWRegisterDelta, replica: string, now: bigint, current: bigint): Write {
  if (write.value === undefined) throw new CrdtViolation("CRDT-49", "LWWRegister write has no value");
  const custom = write.clock === crdt.CrdtClock.CUSTOM || write.clock === crdt.CrdtClock.CUSTOM_AUTO_INCREMENT;
  return {
    value: write.value,
    clock: write.clock,
    customClockValue: custom ? write.customClockValue : 0n,
    timestamp: clockValue(write.clock, write.customClockValue, now, current),
    replica,
  };
}
