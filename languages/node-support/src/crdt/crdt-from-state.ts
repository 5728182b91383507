import type { crdt } from "@cloudstate/protocol";
import type { AnySupport } from "../any/any-support.js";
import { type Crdt, CrdtDeltaError } from "./crdt.js";
import { Flag } from "./flag.js";
import { GCounter } from "./gcounter.js";
import { GSet } from "./gset.js";
import { LWWRegister } from "./lww-register.js";
import { ORMap } from "./ormap.js";
import { ORSet } from "./orset.js";
import { PNCounter } from "./pncounter.js";
import { Vote } from "./vote.js";

/**
 * The CRDT holding a full state received from the proxy (`init.state`, `state`,
 * or an ORMap entry), with no local changes. Elements, keys and register values
 * are unpacked with `anySupport`, which must know their types. Throws
 * `CrdtDeltaError` when the state breaks an invariant of spec/crdt.md §5.
 */
export function crdtFromState(state: crdt.CrdtState, anySupport: AnySupport): Crdt {
  const s = state.state;
  if (s === undefined) throw new CrdtDeltaError("CRDT-21", "CRDT state has no type set");
  switch (s.$case) {
    case "gcounter":
      return GCounter.fromState(s.value);
    case "pncounter":
      return PNCounter.fromState(s.value);
    case "gset":
      return GSet.fromState(s.value, { anySupport });
    case "orset":
      return ORSet.fromState(s.value, { anySupport });
    case "lwwregister":
      return LWWRegister.fromState(s.value, { anySupport });
    case "flag":
      return Flag.fromState(s.value);
    case "ormap":
      return ORMap.fromState(s.value, { anySupport });
    case "vote":
      return Vote.fromState(s.value);
  }
}
