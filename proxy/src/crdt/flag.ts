import type { crdt } from "@cloudstate/protocol";
import { type ReplicatedCrdt, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

/** A flag (spec/crdt.md §5.6): merge is logical OR (CRDT-56), so it never switches back. */
export class Flag implements ReplicatedCrdt {
  readonly type = "Flag";

  constructor(private enabled = false) {}

  get value(): boolean {
    return this.enabled;
  }

  applyLocalDelta(delta: crdt.CrdtDelta): void {
    // A false delta is no change.
    if (expectLocalDelta(delta, "flag").value) this.enabled = true;
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof Flag)) return preferredByType(this, other);
    return new Flag(this.enabled || other.enabled);
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "flag", value: { value: this.enabled } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState());
  }

  clone(): Flag {
    return new Flag(this.enabled);
  }

  canonical(): string {
    return `Flag{${this.enabled}}`;
  }
}
