/**
 * Values of `Entity.entity_type`: the fully qualified name of the protocol
 * service that serves each entity kind (spec/discovery.md).
 */
export const EntityType = {
  EventSourced: "cloudstate.eventsourced.EventSourced",
  ValueEntity: "cloudstate.valueentity.ValueEntity",
  Crdt: "cloudstate.crdt.Crdt",
  Action: "cloudstate.action.ActionProtocol",
} as const;

export type EntityType = (typeof EntityType)[keyof typeof EntityType];

export const ALL_ENTITY_TYPES: readonly EntityType[] = Object.values(EntityType);

export function isEntityType(value: string): value is EntityType {
  return (ALL_ENTITY_TYPES as readonly string[]).includes(value);
}
