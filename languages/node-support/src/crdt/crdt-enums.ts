// The protocol's CRDT enums, re-exported so applications need not import @cloudstate/protocol.
import { crdt } from "@cloudstate/protocol";

/**
 * The clocks of an LWWRegister write (spec/crdt.md §5.5), from which the proxy computes
 * the write's clock value: `DEFAULT` (its wall clock), `REVERSE` (earliest write wins),
 * `CUSTOM` and `CUSTOM_AUTO_INCREMENT` (the write's custom clock value).
 */
export const CrdtClock = crdt.CrdtClock;
/** One of the `CrdtClock` values. */
export type CrdtClock = crdt.CrdtClock;
/**
 * How many replicas must hold a state action's change before the caller is answered
 * (spec/crdt.md §4): `LOCAL` (this one; the default), `MAJORITY` (more than half) or `ALL`.
 */
export const CrdtWriteConsistency = crdt.CrdtWriteConsistency;
/** One of the `CrdtWriteConsistency` values. */
export type CrdtWriteConsistency = crdt.CrdtWriteConsistency;
