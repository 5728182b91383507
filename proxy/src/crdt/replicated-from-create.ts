import type { crdt } from "@cloudstate/protocol";
import { Flag } from "./flag.js";
import { GCounter } from "./gcounter.js";
import { GSet } from "./gset.js";
import { LWWRegister } from "./lww-register.js";
import { ORMap } from "./ormap.js";
import { ORSet } from "./orset.js";
import { PNCounter } from "./pncounter.js";
import { type Clock, type DotSource, type ReplicatedCrdt, CrdtViolation } from "./replicated-crdt.js";
import { Vote } from "./vote.js";

/**
 * The replicated CRDT a user function's `create` state action (or an ORMap
 * addition) makes at `replica` (spec/crdt.md §5): the value recorded as that
 * replica's own writes. Throws `CrdtViolation` if the state breaks the spec;
 * `dots` is for ORMap's nested values only.
 */
export function replicatedFromCreate(state: crdt.CrdtState, replica: string, clock: Clock, dots?: DotSource): ReplicatedCrdt {
  const s = state.state;
  if (s === undefined) throw new CrdtViolation("CRDT-29", "CRDT state has no type set");
  switch (s.$case) {
    case "gcounter": {
      const counter = new GCounter();
      counter.increment(s.value.value, replica);
      return counter;
    }
    case "pncounter": {
      const counter = new PNCounter();
      counter.change(s.value.value, replica);
      return counter;
    }
    case "gset":
      return GSet.of(s.value.items);
    case "orset":
      return ORSet.of(s.value.items, replica, dots);
    case "lwwregister":
      return LWWRegister.created(s.value, replica, clock);
    case "flag":
      return new Flag(s.value.value);
    case "ormap":
      return ORMap.of(s.value.entries, replica, clock, dots);
    case "vote": {
      // The counts of the state are the user function's guess (CRDT-66).
      const vote = new Vote();
      vote.cast(s.value.selfVote, replica);
      return vote;
    }
  }
}
