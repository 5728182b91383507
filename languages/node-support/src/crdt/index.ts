// CRDT values as a user function holds them (spec/crdt.md): the public API of this folder.
export { type Crdt, CrdtDeltaError, type CrdtType } from "./crdt.js";
export { type CrdtValueOptions, elementKey } from "./crdt-values.js";
export { crdtFromState } from "./crdt-from-state.js";
export { GCounter } from "./gcounter.js";
export { PNCounter } from "./pncounter.js";
export { GSet } from "./gset.js";
export { ORSet } from "./orset.js";
export { LWWRegister, type LWWRegisterOptions } from "./lww-register.js";
export { Flag } from "./flag.js";
export { ORMap } from "./ormap.js";
export { Vote } from "./vote.js";
