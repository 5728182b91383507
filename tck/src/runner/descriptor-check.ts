import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type cloudstate, EntityType, isValidKeyField, markedKeyFields } from "@cloudstate/protocol";

/**
 * What is wrong with a discovered spec's descriptors: EntitySpec.proto must be
 * a FileDescriptorSet holding every listed service (DISC-8), and every method
 * of an entity service must take an input with valid key fields (KEY-1, KEY-4).
 */
export function descriptorProblems(spec: cloudstate.EntitySpec): string[] {
  let registry;
  try {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, spec.proto));
  } catch (error) {
    return [`DISC-8: EntitySpec.proto is not a complete FileDescriptorSet: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  for (const entity of spec.entities) {
    const service = registry.getService(entity.serviceName);
    if (service === undefined) {
      problems.push(`DISC-8: EntitySpec.proto has no service ${entity.serviceName}`);
      continue;
    }
    if (entity.entityType === EntityType.Action) continue;
    for (const method of service.methods) {
      const keys = markedKeyFields(method.input);
      if (keys.length === 0) problems.push(`KEY-1: ${entity.serviceName}.${method.name} takes ${method.input.typeName}, which has no entity key field`);
      for (const key of keys) if (!isValidKeyField(key)) problems.push(`KEY-4: key field ${method.input.typeName}.${key.name} is not a singular string, integer or bool`);
    }
  }
  return problems;
}
