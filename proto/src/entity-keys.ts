import { type DescField, type DescMessage, getOption, ScalarType } from "@bufbuild/protobuf";
import { contractsRegistry } from "./contracts-registry.js";

/** Scalar types an entity key field may have (spec/entity-keys.md KEY-4). */
export const KEY_SCALAR_TYPES: ReadonlySet<ScalarType> = new Set([
  ScalarType.STRING,
  ScalarType.INT32,
  ScalarType.INT64,
  ScalarType.UINT32,
  ScalarType.UINT64,
  ScalarType.SINT32,
  ScalarType.SINT64,
  ScalarType.FIXED32,
  ScalarType.FIXED64,
  ScalarType.SFIXED32,
  ScalarType.SFIXED64,
  ScalarType.BOOL,
]);

/**
 * The fields of a request message marked as entity key, by
 * `cloudstate.entity_key` (1080) or `cloudstate.legacy_entity_key` (50002),
 * in field-number order (spec/entity-keys.md KEY-2, KEY-3, KEY-11).
 */
export function markedKeyFields(message: DescMessage): DescField[] {
  const entityKey = contractsRegistry().getExtension("cloudstate.entity_key");
  const legacyKey = contractsRegistry().getExtension("cloudstate.legacy_entity_key");
  return message.fields
    .filter((field) => (entityKey !== undefined && getOption(field, entityKey)) || (legacyKey !== undefined && getOption(field, legacyKey)))
    .sort((a, b) => a.number - b.number);
}

/** Whether a key field has an allowed kind and type: singular, string, integer or bool (KEY-4). */
export function isValidKeyField(field: DescField): boolean {
  return field.fieldKind === "scalar" && KEY_SCALAR_TYPES.has(field.scalar);
}
