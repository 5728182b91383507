import type { crdt } from "@cloudstate/protocol";

/**
 * Why an update's delta cannot apply to the entity's value because their CRDT
 * types differ at top level (ERR-19, CRDT-24), or undefined. Named with both
 * rules, as protocol-errors.md lists the violation under ERR-19 (ERR-1).
 * Deltas or values with no type set, and mismatches inside ORMap entries, are
 * found where the delta is applied.
 */
export function deltaTypeProblem(value: crdt.CrdtState | undefined, delta: crdt.CrdtDelta): string | undefined {
  const valueType = value?.state?.$case;
  const deltaType = delta.delta?.$case;
  if (valueType === undefined || deltaType === undefined || valueType === deltaType) return undefined;
  return `ERR-19: a ${deltaType} delta cannot update a ${valueType} (CRDT-24)`;
}
