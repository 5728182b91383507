import { type Any, crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";
import { type CrdtValueOptions, ValuePacker } from "./crdt-values.js";

/** Options of an LWWRegister: how its value is packed, and the clock of its initial value. */
export interface LWWRegisterOptions<T> extends CrdtValueOptions<T> {
  /** Clock of the initial value, sent in the create or ORMap addition that carries it; `DEFAULT` when unset. */
  readonly clock?: crdt.CrdtClock;
  /** Custom clock value of the initial value, used only with the `CUSTOM` and `CUSTOM_AUTO_INCREMENT` clocks; 0 when unset. */
  readonly customClockValue?: bigint;
}

/**
 * A last-write-wins register (spec/crdt.md §5.5). The proxy decides which write
 * wins between replicas: a write with a `REVERSE` or `CUSTOM` clock can lose even
 * locally, in which case the proxy sends the winning value back after the reply
 * (CRDT-52). The clock of the last write is kept only to be reported by
 * `toState`; the clock fields the proxy sends are stored but never interpreted
 * (CRDT-54).
 */
export class LWWRegister<T = unknown> implements Crdt {
  readonly type = "LWWRegister";
  private readonly packer: ValuePacker<T>;
  private current: T;
  private any: Any;
  private clock: crdt.CrdtClock;
  private customClockValue: bigint;
  private pending = false;

  /** A register holding `value`, with no local changes (the initial value travels in a create or ORMap addition). */
  constructor(value: T, options: LWWRegisterOptions<T> = {}) {
    this.packer = new ValuePacker(options);
    this.current = value;
    this.any = this.packer.pack(value);
    this.clock = options.clock ?? crdt.CrdtClock.DEFAULT;
    this.customClockValue = options.customClockValue ?? 0n;
  }

  /** The register's value. */
  get value(): T {
    return this.current;
  }

  /**
   * Writes `value`. `customClockValue` is used only with the `CUSTOM` and
   * `CUSTOM_AUTO_INCREMENT` clocks. Writing the same value again is still a write
   * (it refreshes the write's clock).
   */
  setValue(value: T, clock: crdt.CrdtClock = crdt.CrdtClock.DEFAULT, customClockValue = 0n): this {
    this.current = value;
    this.any = this.packer.pack(value);
    this.clock = clock;
    this.customClockValue = customClockValue;
    this.pending = true;
    return this;
  }

  hasDelta(): boolean {
    return this.pending;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.pending) return undefined;
    this.pending = false;
    return { delta: { $case: "lwwregister", value: { value: this.any, clock: this.clock, customClockValue: this.customClockValue } } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    const { value, clock, customClockValue } = expectDelta(delta, "lwwregister");
    if (value === undefined) throw new CrdtDeltaError("CRDT-49", "LWWRegister delta has no value");
    this.current = this.packer.unpack(value);
    this.any = value;
    this.clock = clock;
    this.customClockValue = customClockValue;
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "lwwregister", value: { value: this.any, clock: this.clock, customClockValue: this.customClockValue } } };
  }

  /** A register holding `state`'s value, with no local changes. */
  static fromState<T>(state: crdt.LWWRegisterState, options: CrdtValueOptions<T> = {}): LWWRegister<T> {
    if (state.value === undefined) throw new CrdtDeltaError("CRDT-49", "LWWRegister state has no value");
    const packer = new ValuePacker(options);
    const register = new LWWRegister<T>(packer.unpack(state.value), { ...options, clock: state.clock, customClockValue: state.customClockValue });
    // Keep the bytes as received: repacking could differ from the proxy's copy.
    register.any = state.value;
    return register;
  }
}
