import { type DescField, type DescMessage, type JsonObject, type JsonValue, ScalarType } from "@bufbuild/protobuf";
import type { HttpRoute } from "./http-rules.js";

/** A request that cannot become the method's input message; answered with 400 (HTTP-14). */
export class HttpRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpRequestError";
  }
}

/**
 * The request message of an HTTP/JSON call, as proto3 JSON (spec/http.md §2): the body fills
 * every field (`*`), one field, or nothing; path variables fill the fields they name, over what
 * the body said; query parameters fill the fields neither binds (HTTP-7, HTTP-8).
 */
export function requestJson(route: HttpRoute, bindings: ReadonlyMap<string, string>, query: URLSearchParams, bodyText: string): JsonObject {
  const input = route.method.input;
  const body = parseBody(bodyText);
  let root: JsonObject = {};
  switch (route.body.kind) {
    case "all":
      if (body !== undefined) {
        if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpRequestError(`the body must be a JSON object (${input.typeName})`);
        root = body;
      }
      break;
    case "field":
      if (body !== undefined) root[route.body.field.jsonName] = body;
      break;
    case "none":
      if (body !== undefined) throw new HttpRequestError(`${route.description} takes no body`);
      break;
  }
  for (const [path, text] of bindings) {
    const fields = route.pathFields.get(path);
    if (fields === undefined) continue;
    setPath(root, fields, textToJson(fields[fields.length - 1], text, `path variable {${path}}`));
  }
  const keys = [...new Set(query.keys())];
  if (keys.length > 0 && route.body.kind === "all") {
    throw new HttpRequestError(`${route.description} takes every field from the body: query parameters (${keys.join(", ")}) cannot be used`);
  }
  for (const key of keys) {
    const fields = queryField(input, key);
    const canonical = fields.map((f) => f.name).join(".");
    if (route.pathFields.has(canonical)) throw new HttpRequestError(`query parameter ${key}: the field is bound by the path`);
    if (route.body.kind === "field" && fields[0] === route.body.field) throw new HttpRequestError(`query parameter ${key}: the field is filled by the body`);
    const leaf = fields[fields.length - 1];
    const values = query.getAll(key).map((v) => textToJson(leaf, v, `query parameter ${key}`));
    if (leaf?.fieldKind === "list") setPath(root, fields, values);
    else if (values.length > 1) throw new HttpRequestError(`query parameter ${key} is given ${values.length} times, but its field is not repeated`);
    else setPath(root, fields, values[0] ?? null);
  }
  return root;
}

function parseBody(text: string): JsonValue | undefined {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new HttpRequestError(`the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The fields a query parameter names: dotted, each step by its proto or JSON name. */
function queryField(input: DescMessage, key: string): DescField[] {
  const fields: DescField[] = [];
  let message: DescMessage = input;
  const steps = key.split(".");
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] ?? "";
    const field: DescField | undefined = message.fields.find((f) => f.name === step || f.jsonName === step);
    if (field === undefined) throw new HttpRequestError(`query parameter ${key}: ${message.typeName} has no field ${step}`);
    fields.push(field);
    if (i === steps.length - 1) {
      if (!isTextual(field)) throw new HttpRequestError(`query parameter ${key}: a ${field.fieldKind} field cannot be given as a query parameter`);
    } else {
      if (field.fieldKind !== "message") throw new HttpRequestError(`query parameter ${key}: ${step} is not a message field`);
      message = field.message;
    }
  }
  return fields;
}

// Well-known types whose JSON form is one string or number, so that one query value can hold them.
const TEXTUAL_MESSAGES = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.FieldMask",
  "google.protobuf.DoubleValue",
  "google.protobuf.FloatValue",
  "google.protobuf.Int64Value",
  "google.protobuf.UInt64Value",
  "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value",
  "google.protobuf.BoolValue",
  "google.protobuf.StringValue",
  "google.protobuf.BytesValue",
]);

function isTextual(field: DescField): boolean {
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      return true;
    case "message":
      return TEXTUAL_MESSAGES.has(field.message.typeName);
    case "list":
      return field.listKind !== "message" || TEXTUAL_MESSAGES.has(field.message.typeName);
    case "map":
      return false;
  }
}

/**
 * A path or query text as the JSON value of a field: the JSON mapping reads numbers from
 * strings already, but not booleans, and enums only by name, so those are converted here.
 */
function textToJson(field: DescField | undefined, text: string, what: string): JsonValue {
  if (field === undefined) return text;
  const scalar = scalarOf(field);
  if (scalar === ScalarType.BOOL) {
    if (text === "true") return true;
    if (text === "false") return false;
    throw new HttpRequestError(`${what}: ${JSON.stringify(text)} is not true or false`);
  }
  const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
  if (isEnum && /^-?\d+$/.test(text)) return Number(text);
  return text;
}

function scalarOf(field: DescField): ScalarType | undefined {
  if (field.fieldKind === "scalar") return field.scalar;
  if (field.fieldKind === "list" && field.listKind === "scalar") return field.scalar;
  const message = field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message") ? field.message : undefined;
  if (message?.typeName === "google.protobuf.BoolValue") return ScalarType.BOOL;
  return undefined;
}

/** Sets a value at a field path of a JSON object, creating objects on the way; either spelling of a key already there is replaced. */
function setPath(root: JsonObject, fields: readonly DescField[], value: JsonValue): void {
  let obj: JsonObject = root;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === undefined) return;
    const key = keyOf(obj, field);
    if (i === fields.length - 1) {
      obj[key] = value;
      return;
    }
    let next = obj[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      next = {};
      obj[key] = next;
    }
    obj = next;
  }
}

function keyOf(obj: JsonObject, field: DescField): string {
  if (field.name !== field.jsonName && field.name in obj) {
    const existing = obj[field.name];
    // The body's own key for the field, under its proto name, gives way to the JSON name.
    Reflect.deleteProperty(obj, field.name);
    if (existing !== undefined) obj[field.jsonName] = existing;
  }
  return field.jsonName;
}
