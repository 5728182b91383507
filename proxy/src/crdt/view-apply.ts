import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import { CrdtViolation, expectLocalDelta } from "./replicated-crdt.js";

/** Who sent a delta: the meaning of a Vote delta depends on it (CRDT-66, CRDT-67). */
export type DeltaSender = "uf" | "proxy";

/**
 * A value view with `delta` applied as the receiving side applies it
 * (spec/crdt.md §5): the proxy uses it with `"uf"` to follow the value the user
 * function holds after its own update (the agreed value, CRDT-3), which can
 * differ from the replica value (a losing LWWRegister write, CRDT-52; a vote
 * count). Throws `CrdtViolation` for a delta that breaks the type's rules.
 * `view` is not changed.
 */
export function applyDeltaToView(view: crdt.CrdtState, delta: crdt.CrdtDelta, from: DeltaSender): crdt.CrdtState {
  const s = view.state;
  if (s === undefined) throw new CrdtViolation("CRDT-29", "CRDT state has no type set");
  switch (s.$case) {
    case "gcounter": {
      const value = s.value.value + expectLocalDelta(delta, "gcounter").increment;
      if (value > (1n << 64n) - 1n) throw new CrdtViolation("CRDT-37", "GCounter delta raises the value above 2^64 - 1");
      return { state: { $case: "gcounter", value: { value } } };
    }
    case "pncounter": {
      const value = s.value.value + expectLocalDelta(delta, "pncounter").change;
      if (value < -(1n << 63n) || value >= 1n << 63n) throw new CrdtViolation("CRDT-39", "PNCounter delta takes the value outside the int64 range");
      return { state: { $case: "pncounter", value: { value } } };
    }
    case "gset": {
      const items = [...s.value.items];
      const keys = new Set(items.map(anyKey));
      for (const any of expectLocalDelta(delta, "gset").added) {
        if (!addKey(keys, any)) throw new CrdtViolation("CRDT-42", "GSet delta adds an element that is already present or listed twice");
        items.push(any);
      }
      return { state: { $case: "gset", value: { items } } };
    }
    case "orset":
      return { state: { $case: "orset", value: { items: applySetDelta(s.value.items, expectLocalDelta(delta, "orset")) } } };
    case "lwwregister": {
      const { value, clock, customClockValue } = expectLocalDelta(delta, "lwwregister");
      if (value === undefined) throw new CrdtViolation("CRDT-49", "LWWRegister delta has no value");
      return { state: { $case: "lwwregister", value: { value, clock, customClockValue } } };
    }
    case "flag":
      return { state: { $case: "flag", value: { value: s.value.value || expectLocalDelta(delta, "flag").value } } };
    case "vote": {
      const d = expectLocalDelta(delta, "vote");
      const { selfVote, votesFor, totalVoters } = s.value;
      if (from === "proxy") return { state: { $case: "vote", value: { selfVote, votesFor: d.votesFor, totalVoters: d.totalVoters } } };
      const change = d.selfVote === selfVote ? 0 : d.selfVote ? 1 : -1;
      return { state: { $case: "vote", value: { selfVote: d.selfVote, votesFor: votesFor + change, totalVoters } } };
    }
    case "ormap":
      return { state: { $case: "ormap", value: { entries: applyMapDelta(s.value.entries, expectLocalDelta(delta, "ormap"), from) } } };
  }
}

/** Adds `any`'s identity to `keys`; false if it was there already. */
function addKey(keys: Set<string>, any: Any): boolean {
  const key = anyKey(any);
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}

function applySetDelta(items: readonly Any[], delta: crdt.ORSetDelta): Any[] {
  const elements = new Map(delta.cleared ? [] : items.map((any) => [anyKey(any), any] as const));
  const removed = new Set<string>();
  for (const any of delta.removed) {
    if (!addKey(removed, any)) throw new CrdtViolation("CRDT-47", "ORSet delta removes an element twice");
    if (!elements.delete(anyKey(any))) throw new CrdtViolation("CRDT-45", "ORSet delta removes an element that is not present");
  }
  const added = new Set<string>();
  for (const any of delta.added) {
    if (!addKey(added, any)) throw new CrdtViolation("CRDT-47", "ORSet delta adds an element twice");
    if (elements.has(anyKey(any))) throw new CrdtViolation("CRDT-46", "ORSet delta adds an element that is already present");
    elements.set(anyKey(any), any);
  }
  return [...elements.values()];
}

function applyMapDelta(entries: readonly crdt.ORMapEntry[], delta: crdt.ORMapDelta, from: DeltaSender): crdt.ORMapEntry[] {
  const map = new Map(delta.cleared ? [] : entries.flatMap((e) => (e.key === undefined ? [] : [[anyKey(e.key), e] as const])));
  const seen = { removed: new Set<string>(), updated: new Set<string>(), added: new Set<string>() };
  const keyOf = (any: Any | undefined, list: keyof typeof seen): string => {
    if (any === undefined) throw new CrdtViolation("CRDT-58", `ORMap delta has an entry without a key in ${list}`);
    if (!addKey(seen[list], any)) throw new CrdtViolation("CRDT-62", `ORMap delta lists a key twice in ${list}`);
    return anyKey(any);
  };
  for (const any of delta.removed) {
    if (!map.delete(keyOf(any, "removed"))) throw new CrdtViolation("CRDT-59", "ORMap delta removes a key that is not present");
  }
  for (const { key, delta: change } of delta.updated) {
    const id = keyOf(key, "updated");
    const entry = map.get(id);
    if (entry?.value === undefined) throw new CrdtViolation("CRDT-60", "ORMap delta updates a key that is not present");
    if (change === undefined || change.delta?.$case !== entry.value.state?.$case) throw new CrdtViolation("CRDT-63", "ORMap delta updates a value with a delta of another type");
    map.set(id, { key: entry.key, value: applyDeltaToView(entry.value, change, from) });
  }
  for (const entry of delta.added) {
    const key = keyOf(entry.key, "added");
    if (map.has(key)) throw new CrdtViolation("CRDT-61", "ORMap delta adds a key that is already present");
    if (entry.value === undefined) throw new CrdtViolation("CRDT-58", "ORMap delta adds an entry without a value");
    map.set(key, entry);
  }
  return [...map.values()];
}
