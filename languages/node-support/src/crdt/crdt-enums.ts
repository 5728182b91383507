// The protocol's CRDT enums, re-exported so applications need not import @cloudstate/protocol.
import { crdt } from "@cloudstate/protocol";

export const CrdtClock = crdt.CrdtClock;
export type CrdtClock = crdt.CrdtClock;
export const CrdtWriteConsistency = crdt.CrdtWriteConsistency;
export type CrdtWriteConsistency = crdt.CrdtWriteConsistency;
