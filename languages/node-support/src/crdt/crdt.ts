import type { crdt } from "@cloudstate/protocol";

/** The CRDT types of the protocol (spec/crdt.md §5). */
export type CrdtType = "GCounter" | "PNCounter" | "GSet" | "ORSet" | "LWWRegister" | "Flag" | "ORMap" | "Vote";

/**
 * A CRDT value as a user function holds it (spec/crdt.md §1, CRDT-2): only the
 * current value, plus the local changes not yet sent to the proxy. Replica
 * metadata and merging belong to the proxy (CRDT-1).
 *
 * The protocol guarantees that the proxy sends a delta only while no command is
 * being handled (CRDT-14), so `applyDelta` is only ever called when there are no
 * local changes pending; calling it with pending changes keeps them as they are.
 */
export interface Crdt {
  /** The value's CRDT type, which never changes while the entity (or ORMap key) holds it (CRDT-6). */
  readonly type: CrdtType;
  /** True when there are local changes not yet taken by `getAndResetDelta`. */
  hasDelta(): boolean;
  /** The local changes since the last call, as one protocol delta; undefined when none. Resets the tracking. */
  getAndResetDelta(): crdt.CrdtDelta | undefined;
  /**
   * Applies a delta received from the proxy (a change made elsewhere). Throws
   * `CrdtDeltaError` when it does not fit this type or value (CRDT-21, CRDT-22);
   * the value is then unchanged, except inside an ORMap, where it is unspecified
   * (the entity stream fails in both cases). Does not count as a local change.
   */
  applyDelta(delta: crdt.CrdtDelta): void;
  /** The full current value as protocol state (for create actions and tests). */
  toState(): crdt.CrdtState;
}

/**
 * A state or delta from the proxy that does not fit the value it is applied to:
 * another CRDT type, or a broken invariant of spec/crdt.md §5. `rule` is the
 * spec id of the rule broken.
 */
export class CrdtDeltaError extends Error {
  constructor(
    /** The spec id of the rule broken, e.g. `CRDT-42`. */
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
    this.name = "CrdtDeltaError";
  }
}

type DeltaCase = NonNullable<crdt.CrdtDelta["delta"]>;
type DeltaOf<C extends DeltaCase["$case"]> = Extract<DeltaCase, { $case: C }>["value"];

/** Checks that a delta is of the expected type and returns its content (CRDT-21). */
export function expectDelta<C extends DeltaCase["$case"]>(delta: crdt.CrdtDelta, expected: C): DeltaOf<C> {
  const d = delta.delta;
  if (d === undefined) throw new CrdtDeltaError("CRDT-21", `a ${expected} delta has no type set`);
  if (d.$case !== expected) throw new CrdtDeltaError("CRDT-21", `a ${d.$case} delta cannot apply to a ${expected}`);
  // TypeScript does not narrow a union by a generic discriminant; the check above does.
  return d.value as DeltaOf<C>;
}
