import { type DescField, type DescMessage, fromBinary, type JsonValue, type Message, type Registry, toBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Puts back the exact `@type` URLs of a parsed message's `Any` values.
 *
 * The proto3 JSON parser rebuilds every `Any` URL as `type.googleapis.com/<name>`,
 * but Cloudstate payloads also use `p.cloudstate.io/` and `json.cloudstate.io/`
 * prefixes (spec/payloads.md), which the TCK must send and compare unchanged.
 * Walks the message and its JSON side by side; nested payloads are unpacked,
 * fixed and packed again.
 */
export function restoreAnyTypeUrls(desc: DescMessage, message: Message, json: JsonValue, registry: Registry): void {
  if (!isObject(json)) return;
  const record = message as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    const value = jsonValueOf(json, field);
    if (value === undefined) continue;
    if (field.oneof) {
      const holder = record[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (holder?.case === field.localName) fixField(field, holder.value, value, registry);
    } else {
      fixField(field, record[field.localName], value, registry);
    }
  }
}

function jsonValueOf(json: JsonObject, field: DescField): JsonValue | undefined {
  return json[field.jsonName] ?? json[field.name];
}

function fixField(field: DescField, value: unknown, json: JsonValue, registry: Registry): void {
  switch (field.fieldKind) {
    case "message":
      fixMessage(field.message, value as Message | undefined, json, registry);
      return;
    case "list":
      if (field.listKind === "message" && Array.isArray(json)) {
        const items = value as Message[];
        json.forEach((j, i) => fixMessage(field.message, items[i], j, registry));
      }
      return;
    case "map":
      if (field.mapKind === "message" && isObject(json)) {
        const entries = value as Record<string, Message>;
        for (const [key, j] of Object.entries(json)) fixMessage(field.message, entries[key], j, registry);
      }
      return;
    default:
      return;
  }
}

function fixMessage(desc: DescMessage, message: Message | undefined, json: JsonValue, registry: Registry): void {
  if (message === undefined || !isObject(json)) return;
  if (desc.typeName !== "google.protobuf.Any") {
    restoreAnyTypeUrls(desc, message, json, registry);
    return;
  }
  const any = message as Any;
  const typeUrl = json["@type"];
  if (typeof typeUrl !== "string") return;
  any.typeUrl = typeUrl;
  const inner = registry.getMessage(typeUrl.slice(typeUrl.lastIndexOf("/") + 1));
  if (inner === undefined || inner.typeName.startsWith("google.protobuf.")) return;
  const payload = fromBinary(inner, any.value);
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(json)) if (key !== "@type") rest[key] = value;
  restoreAnyTypeUrls(inner, payload, rest, registry);
  any.value = toBinary(inner, payload);
}
