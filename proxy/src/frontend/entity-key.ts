import type { DescField, Message } from "@bufbuild/protobuf";

/** A request whose key fields all hold their default value (KEY-12). */
export class EmptyKeyError extends Error {
  constructor(readonly fields: readonly string[]) {
    super(`the entity key is empty: set ${fields.length === 1 ? "the key field" : "at least one key field"} ${fields.join(", ")}`);
    this.name = "EmptyKeyError";
  }
}

/**
 * The entity key of a decoded request (spec/entity-keys.md): each key field
 * rendered as text (KEY-6..9), joined with ":" in field-number order (KEY-11).
 * `keyFields` must already be in field-number order.
 */
export function entityKeyOf(message: Message, keyFields: readonly DescField[]): string {
  const record = message as unknown as Record<string, unknown>;
  let key = "";
  let allDefault = true;
  for (let i = 0; i < keyFields.length; i++) {
    const field = keyFields[i] as DescField;
    const value = record[field.localName];
    const text = render(value);
    if (!isDefault(value)) allDefault = false;
    key = i === 0 ? text : `${key}:${text}`;
  }
  if (allDefault) throw new EmptyKeyError(keyFields.map((f) => f.name));
  return key;
}

function isDefault(value: unknown): boolean {
  return value === undefined || value === "" || value === 0 || value === 0n || value === false;
}

function render(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "bigint":
    case "number":
    case "boolean":
      return String(value);
    default:
      return "";
  }
}
