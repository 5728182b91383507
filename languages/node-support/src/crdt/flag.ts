import type { crdt } from "@cloudstate/protocol";
import { type Crdt, expectDelta } from "./crdt.js";

/** A flag (spec/crdt.md §5.6): false until enabled, then true for ever. */
export class Flag implements Crdt {
  readonly type = "Flag";
  private enabled = false;
  private pending = false;

  /** The flag's value. */
  get value(): boolean {
    return this.enabled;
  }

  /** Switches the flag on; enabling an enabled flag changes nothing. */
  enable(): this {
    if (!this.enabled) {
      this.enabled = true;
      this.pending = true;
    }
    return this;
  }

  hasDelta(): boolean {
    return this.pending;
  }

  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.pending) return undefined;
    this.pending = false;
    return { delta: { $case: "flag", value: { value: true } } };
  }

  applyDelta(delta: crdt.CrdtDelta): void {
    // A false delta is no change, never a switch back (CRDT-55).
    if (expectDelta(delta, "flag").value) this.enabled = true;
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "flag", value: { value: this.enabled } } };
  }

  /** A flag holding `state`'s value, with no local changes. */
  static fromState(state: crdt.FlagState): Flag {
    const flag = new Flag();
    flag.enabled = state.value;
    return flag;
  }
}
