import { type DescField, type DescMessage, fromBinary, fromJson, type JsonObject, type JsonValue, type Registry, ScalarType, toBinary, toJson } from "@bufbuild/protobuf";

/** A JSON value that cannot be read as the message type; the message says why. */
export class JsonMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonMappingError";
  }
}

/**
 * The proto3 JSON mapping of the user's messages (spec/http.md §3, HTTP-10..HTTP-14), by
 * reflection over the discovered descriptors: int64 kinds as strings, enums by name, fields at
 * their default left out, well-known types in their special forms, and `Any` resolved through
 * the user function's own types.
 */
export class JsonMapping {
  constructor(private readonly registry: Registry) {}

  /** The JSON of a message given by its binary form. */
  toJson(desc: DescMessage, bytes: Uint8Array): JsonValue {
    return this.polish(desc, toJson(desc, fromBinary(desc, bytes), { registry: this.registry }));
  }

  /**
   * The JSON of one top-level field of a message (a rule's response_body). A field left out of
   * the message's JSON is shown at its default: `[]`, `{}`, `null` for a message, or the scalar's
   * zero value.
   */
  fieldToJson(desc: DescMessage, bytes: Uint8Array, field: DescField): JsonValue {
    const json = this.toJson(desc, bytes);
    const value = typeof json === "object" && json !== null && !Array.isArray(json) ? json[field.jsonName] : undefined;
    return value ?? defaultJson(field);
  }

  /**
   * Two touches the printer leaves out: a float field is printed with the fewest digits that
   * read back as the same 32-bit value (`0.1`, not `0.10000000149011612`), as protobuf's own
   * printers do; and an Any shows its `@type` first.
   */
  private polish(desc: DescMessage, json: JsonValue): JsonValue {
    if (desc.typeName === "google.protobuf.FloatValue") return typeof json === "number" ? shortestFloat(json) : json;
    if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
    if (desc.typeName === "google.protobuf.Any") return this.polishAny(json);
    // The other well-known types have JSON forms of their own, without float fields.
    if (desc.file.name.startsWith("google/protobuf/")) return json;
    const out: JsonObject = { ...json };
    for (const field of desc.fields) {
      const value = out[field.jsonName];
      if (value === undefined) continue;
      const message = valueMessage(field);
      const isFloat = valueScalar(field) === ScalarType.FLOAT;
      const one = (v: JsonValue): JsonValue => {
        if (message !== undefined) return this.polish(message, v);
        return isFloat && typeof v === "number" ? shortestFloat(v) : v;
      };
      if (field.fieldKind === "list" && Array.isArray(value)) out[field.jsonName] = value.map(one);
      else if (field.fieldKind === "map" && typeof value === "object" && value !== null && !Array.isArray(value)) {
        out[field.jsonName] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
      } else out[field.jsonName] = one(value);
    }
    return out;
  }

  private polishAny(json: JsonObject): JsonValue {
    const type = json["@type"];
    if (typeof type !== "string") return json;
    const inner = this.registry.getMessage(type.slice(type.lastIndexOf("/") + 1));
    const rest: JsonObject = Object.fromEntries(Object.entries(json).filter(([key]) => key !== "@type"));
    if (inner === undefined) return { "@type": type, ...rest };
    const special = inner.file.name.startsWith("google/protobuf/") && inner.typeName !== "google.protobuf.Any" && "value" in rest;
    if (special) return { "@type": type, value: this.polish(inner, rest["value"] ?? null) };
    const polished = this.polish(inner, rest);
    return typeof polished === "object" && polished !== null && !Array.isArray(polished) ? { "@type": type, ...polished } : json;
  }

  /** The binary form of a message given as JSON; throws {@link JsonMappingError}. */
  fromJson(desc: DescMessage, json: JsonValue): Uint8Array {
    try {
      return toBinary(desc, fromJson(desc, json, { registry: this.registry }));
    } catch (error) {
      throw new JsonMappingError(error instanceof Error ? error.message : String(error));
    }
  }
}

function defaultJson(field: DescField): JsonValue {
  switch (field.fieldKind) {
    case "list":
      return [];
    case "map":
      return {};
    case "message":
      return null;
    case "enum":
      return field.enum.values.find((v) => v.number === 0)?.name ?? 0;
    case "scalar":
      return scalarDefault(field.scalar);
  }
}

function scalarDefault(scalar: ScalarType): JsonValue {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return "";
    case ScalarType.BOOL:
      return false;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return "0";
    default:
      return 0;
  }
}

/** The number with the fewest significant digits that is the same 32-bit float. */
function shortestFloat(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** The message type of a field's values (singular, list or map), if they are messages. */
function valueMessage(field: DescField): DescMessage | undefined {
  if (field.fieldKind === "message") return field.message;
  if (field.fieldKind === "list" && field.listKind === "message") return field.message;
  if (field.fieldKind === "map" && field.mapKind === "message") return field.message;
  return undefined;
}

/** The scalar type of a field's values (singular, list or map), if they are scalars. */
function valueScalar(field: DescField): ScalarType | undefined {
  if (field.fieldKind === "scalar") return field.scalar;
  if (field.fieldKind === "list" && field.listKind === "scalar") return field.scalar;
  if (field.fieldKind === "map" && field.mapKind === "scalar") return field.scalar;
  return undefined;
}
