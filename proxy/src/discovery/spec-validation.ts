import { createFileRegistry, type DescField, type DescMessage, type DescService, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type cloudstate, EntityType, isEntityType, isValidKeyField, markedKeyFields, PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";
import { compileHttpRoutes } from "../http/http-rules.js";
import { consumerGroupsOf } from "./eventing-options.js";
import type { CallShape, MethodSpec, ServiceSpec, UserSpec } from "./user-spec.js";

/** Why a discovered EntitySpec cannot be served: every problem found, each naming its service. */
export class SpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the user function's entity spec cannot be served:\n  - ${problems.join("\n  - ")}`);
    this.name = "SpecError";
  }
}

/** Call shapes each entity kind may serve (spec/discovery.md). */
const ALLOWED_SHAPES: Record<EntityType, readonly CallShape[]> = {
  [EntityType.EventSourced]: ["unary"],
  [EntityType.ValueEntity]: ["unary"],
  [EntityType.Crdt]: ["unary", "server_streaming"],
  [EntityType.Action]: ["unary", "client_streaming", "server_streaming", "bidi_streaming"],
};


/** Whether the user function's protocol version can be served (spec/discovery.md). */
export function versionProblem(info: cloudstate.ServiceInfo | undefined): string | undefined {
  const major = info?.protocolMajorVersion ?? 0;
  const minor = info?.protocolMinorVersion ?? 0;
  if (major === 0 && minor === 0) return undefined;
  if (major === PROTOCOL_MAJOR_VERSION && minor <= PROTOCOL_MINOR_VERSION) return undefined;
  return `the user function speaks protocol ${major}.${minor}; this proxy speaks ${PROTOCOL_MAJOR_VERSION}.${PROTOCOL_MINOR_VERSION}`;
}

/**
 * Checks a discovered EntitySpec against spec/discovery.md and builds what the
 * proxy serves. Collects every problem before failing, so one reportError
 * tells the user function all of them.
 */
export function validateSpec(spec: cloudstate.EntitySpec): UserSpec {
  const problems: string[] = [];
  const version = versionProblem(spec.serviceInfo);
  if (version) problems.push(version);
  if (spec.entities.length === 0) problems.push("the spec lists no entities");
  let registry;
  try {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, spec.proto));
  } catch (error) {
    throw new SpecError([...problems, `EntitySpec.proto is not a usable FileDescriptorSet: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const services = new Map<string, ServiceSpec>();
  const persistenceIds = new Map<string, string>();
  for (const entity of spec.entities) {
    const where = entity.serviceName || "(no service name)";
    if (!isEntityType(entity.entityType)) {
      problems.push(`${where}: unsupported entity type "${entity.entityType}"`);
      continue;
    }
    const descriptor = registry.getService(entity.serviceName);
    if (descriptor === undefined) {
      problems.push(`${where}: no such service in EntitySpec.proto`);
      continue;
    }
    if (services.has(entity.serviceName)) {
      problems.push(`${where}: listed twice`);
      continue;
    }
    const durable = entity.entityType === EntityType.EventSourced || entity.entityType === EntityType.ValueEntity;
    if (durable) {
      if (entity.persistenceId === "") problems.push(`${where}: an ${kindName(entity.entityType)} needs a persistence id`);
      const other = persistenceIds.get(entity.persistenceId);
      if (other !== undefined) problems.push(`${where}: persistence id "${entity.persistenceId}" is already used by ${other} (spec/entity-keys.md KEY-21)`);
      persistenceIds.set(entity.persistenceId, entity.serviceName);
    }
    const timeout = entity.passivationStrategy?.strategy?.$case === "timeout" ? Number(entity.passivationStrategy.strategy.value.timeout) : undefined;
    const service: { -readonly [K in keyof ServiceSpec]: ServiceSpec[K] } = {
      name: entity.serviceName,
      entityType: entity.entityType,
      persistenceId: entity.persistenceId || entity.serviceName,
      passivationTimeoutMs: timeout !== undefined && timeout > 0 ? timeout : undefined,
      methods: new Map(),
      descriptor,
    };
    service.methods = methodsOf(service, descriptor, problems);
    services.set(entity.serviceName, service);
  }
  // Eventing options cannot be honoured without their methods, so they are read last (DISC-36).
  const consumerGroups = consumerGroupsOf(services.values(), problems);
  // HTTP rules name fields of the methods' messages, so they are checked once the methods are known (HTTP-4).
  problems.push(...compileHttpRoutes(services.values()).problems);
  if (problems.length > 0) throw new SpecError(problems);
  return { services, consumerGroups, registry, descriptorSet: spec.proto, serviceInfo: spec.serviceInfo };
}

function methodsOf(service: ServiceSpec, descriptor: DescService, problems: string[]): Map<string, MethodSpec> {
  const methods = new Map<string, MethodSpec>();
  const isEntity = service.entityType !== EntityType.Action;
  for (const m of descriptor.methods) {
    const where = `${service.name}.${m.name}`;
    const shape: CallShape = m.methodKind;
    if (!ALLOWED_SHAPES[service.entityType].includes(shape)) {
      problems.push(`${where}: a ${kindName(service.entityType)} cannot serve a ${shape.replace("_", "-")} method`);
    }
    const keyFields = isEntity ? keyFieldsOf(m.input, where, problems) : [];
    if (isEntity && keyFields.length === 0) {
      problems.push(`${where}: input ${m.input.typeName} has no entity key field (cloudstate.entity_key)`);
    }
    methods.set(m.name, {
      name: m.name,
      path: `/${service.name}/${m.name}`,
      shape,
      input: m.input,
      output: m.output,
      inputTypeUrl: `type.googleapis.com/${m.input.typeName}`,
      keyFields,
      service,
    });
  }
  return methods;
}

function keyFieldsOf(message: DescMessage, where: string, problems: string[]): DescField[] {
  const keys: DescField[] = [];
  for (const field of markedKeyFields(message)) {
    if (isValidKeyField(field)) keys.push(field);
    else problems.push(`${where}: entity key field ${field.name} must be a string, integer or bool (KEY-4)`);
  }
  return keys;
}

function kindName(type: EntityType): string {
  switch (type) {
    case EntityType.EventSourced:
      return "event-sourced entity";
    case EntityType.ValueEntity:
      return "value entity";
    case EntityType.Crdt:
      return "CRDT entity";
    case EntityType.Action:
      return "action";
  }
}
