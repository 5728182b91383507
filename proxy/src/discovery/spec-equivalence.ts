import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { UserSpec } from "./user-spec.js";

/**
 * How a spec found at re-discovery differs from the one the proxy serves (spec/failover.md §5,
 * Decision): empty when they are equivalent. Equivalent means the same entities (service name,
 * entity type, persistence id, passivation timeout) and the same descriptor files (compared file
 * by file, whatever their order in the set). The protocol version need only be compatible (it was
 * validated), and the informational `ServiceInfo` fields may change (DISC-10): a redeployed user
 * function with a new version number but the same services is served on.
 */
export function specDifferences(served: UserSpec, found: UserSpec): string[] {
  const differences: string[] = [];
  for (const [name, service] of served.services) {
    const other = found.services.get(name);
    if (other === undefined) {
      differences.push(`service ${name} is no longer listed`);
      continue;
    }
    if (other.entityType !== service.entityType) differences.push(`service ${name}: entity type ${service.entityType} became ${other.entityType}`);
    if (other.persistenceId !== service.persistenceId) differences.push(`service ${name}: persistence id "${service.persistenceId}" became "${other.persistenceId}"`);
    if (other.passivationTimeoutMs !== service.passivationTimeoutMs) {
      differences.push(`service ${name}: passivation timeout ${String(service.passivationTimeoutMs ?? "default")} became ${String(other.passivationTimeoutMs ?? "default")}`);
    }
  }
  for (const name of found.services.keys()) if (!served.services.has(name)) differences.push(`service ${name} is new`);
  differences.push(...descriptorDifferences(served.descriptorSet, found.descriptorSet));
  return differences;
}

function descriptorDifferences(served: Uint8Array, found: Uint8Array): string[] {
  if (sameBytes(served, found)) return [];
  // Both sets were parsed during validation, so they parse here too.
  const before = filesOf(served);
  const after = filesOf(found);
  const differences: string[] = [];
  for (const [name, bytes] of before) {
    const other = after.get(name);
    if (other === undefined) differences.push(`descriptor file ${name} is no longer in the spec`);
    else if (!sameBytes(bytes, other)) differences.push(`descriptor file ${name} changed`);
  }
  for (const name of after.keys()) if (!before.has(name)) differences.push(`descriptor file ${name} is new`);
  return differences;
}

/** Each file of a FileDescriptorSet, re-serialized, by name. */
function filesOf(set: Uint8Array): Map<string, Uint8Array> {
  return new Map(fromBinary(FileDescriptorSetSchema, set).file.map((file) => [file.name, toBinary(FileDescriptorProtoSchema, file)]));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
