import type { Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";

/**
 * The change between two views cannot be sent as a delta (a counter that went
 * down, a set element that vanished from a GSet, a Flag switched off, another
 * type, this replica's own vote changed): the proxy sends a full `state` instead
 * (CRDT-15). Inside an ORMap, such a value is sent as a removal plus an addition.
 */
export class NoDeltaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoDeltaError";
  }
}

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * The value-level delta, as the proxy sends it in `changed`, that turns the view
 * `before` into `after` (CRDT-15); undefined when they are equal (CRDT-18).
 * Elements and keys compare by `anyKey`; orders carry no meaning.
 */
export function diffViews(before: crdt.CrdtState, after: crdt.CrdtState): crdt.CrdtDelta | undefined {
  const b = before.state;
  const a = after.state;
  if (a === undefined || b === undefined || a.$case !== b.$case) throw new NoDeltaError(`cannot turn a ${b?.$case ?? "missing"} state into a ${a?.$case ?? "missing"} by a delta`);
  // `b` has the case of `a` (checked above); TypeScript cannot correlate the two unions, hence the casts.
  switch (a.$case) {
    case "gcounter": {
      const increment = a.value.value - (b.value as crdt.GCounterState).value;
      if (increment < 0n) throw new NoDeltaError("a GCounter went down");
      return increment === 0n ? undefined : { delta: { $case: "gcounter", value: { increment } } };
    }
    case "pncounter": {
      const change = a.value.value - (b.value as crdt.PNCounterState).value;
      if (change < MIN_INT64 || change > MAX_INT64) throw new NoDeltaError("a PNCounter change beyond the int64 range");
      return change === 0n ? undefined : { delta: { $case: "pncounter", value: { change } } };
    }
    case "gset": {
      const { added, removed } = setDiff((b.value as crdt.GSetState).items, a.value.items);
      if (removed.length > 0) throw new NoDeltaError("an element vanished from a GSet");
      return added.length === 0 ? undefined : { delta: { $case: "gset", value: { added } } };
    }
    case "orset": {
      const beforeItems = (b.value as crdt.ORSetState).items;
      const { added, removed } = setDiff(beforeItems, a.value.items);
      if (added.length === 0 && removed.length === 0) return undefined;
      // When nothing of the old value is left, a clear says it shortest.
      const cleared = removed.length > 1 && removed.length === beforeItems.length;
      return { delta: { $case: "orset", value: { cleared, removed: cleared ? [] : removed, added } } };
    }
    case "lwwregister": {
      const old = b.value as crdt.LWWRegisterState;
      const { value, clock, customClockValue } = a.value;
      if (value === undefined) throw new NoDeltaError("an LWWRegister without a value");
      // Only `value` is the register's value: the clock fields describe the write that produced
      // it, and the user function ignores them (crdt.md §5.5, CRDT-54), so a write that leaves
      // the value as it was is no change to send (CRDT-17, CRDT-18).
      const same = old.value !== undefined && anyKey(old.value) === anyKey(value);
      return same ? undefined : { delta: { $case: "lwwregister", value: { value, clock, customClockValue } } };
    }
    case "flag": {
      const was = (b.value as crdt.FlagState).value;
      if (was && !a.value.value) throw new NoDeltaError("a Flag switched off");
      return was === a.value.value ? undefined : { delta: { $case: "flag", value: { value: true } } };
    }
    case "vote": {
      const old = b.value as crdt.VoteState;
      const { selfVote, votesFor, totalVoters } = a.value;
      // Only the user function changes its own vote, so only the counts travel (CRDT-67).
      if (old.selfVote !== selfVote) throw new NoDeltaError("this replica's own vote changed");
      if (old.votesFor === votesFor && old.totalVoters === totalVoters) return undefined;
      return { delta: { $case: "vote", value: { selfVote, votesFor, totalVoters } } };
    }
    case "ormap":
      return diffMaps((b.value as crdt.ORMapState).entries, a.value.entries);
  }
}

function setDiff(before: readonly Any[], after: readonly Any[]): { added: Any[]; removed: Any[] } {
  const beforeKeys = new Set(before.map(anyKey));
  const afterKeys = new Set(after.map(anyKey));
  return { added: after.filter((any) => !beforeKeys.has(anyKey(any))), removed: before.filter((any) => !afterKeys.has(anyKey(any))) };
}

function diffMaps(before: readonly crdt.ORMapEntry[], after: readonly crdt.ORMapEntry[]): crdt.CrdtDelta | undefined {
  const old = new Map(before.flatMap((e) => (e.key === undefined ? [] : [[anyKey(e.key), e] as const])));
  const fresh = new Map(after.flatMap((e) => (e.key === undefined ? [] : [[anyKey(e.key), e] as const])));
  const removed: Any[] = [];
  const updated: crdt.ORMapEntryDelta[] = [];
  const added: crdt.ORMapEntry[] = [];
  for (const [key, entry] of old) if (!fresh.has(key) && entry.key !== undefined) removed.push(entry.key);
  for (const [key, entry] of fresh) {
    const previous = old.get(key);
    if (previous?.value === undefined || entry.value === undefined) {
      added.push(entry);
      continue;
    }
    try {
      const delta = diffViews(previous.value, entry.value);
      if (delta !== undefined) updated.push({ key: entry.key, delta });
    } catch (error) {
      if (!(error instanceof NoDeltaError)) throw error;
      // Replaced, or changed in a way no delta can say: send the new value whole.
      if (entry.key !== undefined) removed.push(entry.key);
      added.push(entry);
    }
  }
  if (removed.length === 0 && updated.length === 0 && added.length === 0) return undefined;
  const cleared = removed.length > 1 && removed.length === old.size;
  return { delta: { $case: "ormap", value: { cleared, removed: cleared ? [] : removed, updated, added } } };
}
