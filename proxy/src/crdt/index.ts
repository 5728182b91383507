// Replicated CRDTs as the proxy holds them (spec/crdt.md §5): the public API of this folder.
export { type Clock, CrdtViolation, type DotSource, type ReplicatedCrdt, type ReplicatedCrdtType } from "./replicated-crdt.js";
export { anyKey } from "./any-key.js";
export { type Dot, DotKernel } from "./dot-kernel.js";
export { replicatedFromCreate } from "./replicated-from-create.js";
export { diffViews, NoDeltaError } from "./view-delta.js";
export { applyDeltaToView, type DeltaSender } from "./view-apply.js";
export { GCounter } from "./gcounter.js";
export { PNCounter } from "./pncounter.js";
export { GSet } from "./gset.js";
export { ORSet } from "./orset.js";
export { clockValue, LWWRegister, type Write } from "./lww-register.js";
export { Flag } from "./flag.js";
export { ORMap } from "./ormap.js";
export { Vote } from "./vote.js";
