import type { crdt } from "@cloudstate/protocol";

/** The CRDT types of the protocol (spec/crdt.md §5). */
export type ReplicatedCrdtType = "GCounter" | "PNCounter" | "GSet" | "ORSet" | "LWWRegister" | "Flag" | "ORMap" | "Vote";

/** The proxy's wall clock, in milliseconds since the epoch (LWWRegister clocks, CRDT-50). */
export type Clock = () => bigint;

/**
 * Hands out dot counters for one replica. An ORMap passes its own to the values
 * it holds, so that every dot a replica creates anywhere inside one top-level
 * CRDT is unique (see `DotKernel`). Top-level callers leave it out.
 */
export type DotSource = (replica: string) => bigint;

/**
 * A CRDT as a proxy replica holds it: the value plus the replica metadata that
 * makes `merge` associative, commutative and idempotent (spec/crdt.md §5, CRDT-1).
 *
 * Replica ids are compared as JavaScript strings (UTF-16 code units) wherever an
 * order is needed (LWWRegister ties, CRDT-53). A replica id must never be reused
 * by a replica that lost its state (use one id per incarnation), as usual for
 * dot-based CRDTs: dots would otherwise repeat.
 */
export interface ReplicatedCrdt {
  readonly type: ReplicatedCrdtType;
  /**
   * Applies a delta sent by the user function, as a write made at `replica`.
   * Throws `CrdtViolation` if the delta breaks the spec; nothing is applied then.
   * `dots` is for ORMap's nested values only.
   */
  applyLocalDelta(delta: crdt.CrdtDelta, replica: string, clock: Clock, dots?: DotSource): void;
  /**
   * The state-based merge with another replica's copy: a new value, neither
   * input is changed. Copies of different types merge to the one whose type has
   * the smaller `CrdtState` field number (CRDT-65).
   */
  merge(other: ReplicatedCrdt): ReplicatedCrdt;
  /** The value view a user function at `replica` holds (Vote: that replica's vote, plus counts). */
  toState(replica: string): crdt.CrdtState;
  /**
   * The value-level delta that turns `before`'s view at `replica` into this one's,
   * for sending to the user function (CRDT-15); undefined if they are equal.
   * Throws `NoDeltaError` when no delta can express the change (send a `state`).
   */
  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined;
  /** An independent copy. */
  clone(): ReplicatedCrdt;
  /** A deterministic text of the whole replicated state, metadata included: equal states give equal texts. */
  canonical(): string;
}

/**
 * A state action or delta from the user function that breaks a rule of
 * spec/crdt.md; `rule` is the id of that rule. The proxy treats it as a
 * protocol violation (CRDT-29, spec/protocol-errors.md).
 */
export class CrdtViolation extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
    this.name = "CrdtViolation";
  }
}

const RANK: Record<ReplicatedCrdtType, number> = { GCounter: 1, PNCounter: 2, GSet: 3, ORSet: 4, LWWRegister: 5, Flag: 6, ORMap: 7, Vote: 8 };

/** The copy kept when two copies of different types meet: the smaller `CrdtState` field number wins (CRDT-65). */
export function preferredByType(a: ReplicatedCrdt, b: ReplicatedCrdt): ReplicatedCrdt {
  return (RANK[a.type] < RANK[b.type] ? a : b).clone();
}

type DeltaCase = NonNullable<crdt.CrdtDelta["delta"]>;
type DeltaOf<C extends DeltaCase["$case"]> = Extract<DeltaCase, { $case: C }>["value"];

/** Checks that a delta from the user function has the value's type (CRDT-24, CRDT-29) and returns its content. */
export function expectLocalDelta<C extends DeltaCase["$case"]>(delta: crdt.CrdtDelta, expected: C): DeltaOf<C> {
  const d = delta.delta;
  if (d === undefined) throw new CrdtViolation("CRDT-29", `a delta for a ${expected} has no type set`);
  if (d.$case !== expected) throw new CrdtViolation("CRDT-24", `a ${d.$case} delta cannot update a ${expected}`);
  // TypeScript does not narrow a union by a generic discriminant; the check above does.
  return d.value as DeltaOf<C>;
}

/** Text of a bigint-carrying value for `canonical()`. */
export function canonicalText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
