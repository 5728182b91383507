import type { DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { MessageJson } from "../protocol/message-json.js";
import type { Side } from "./exchange-log.js";

/**
 * The protocol message type of one direction of a protocol method: its input
 * towards the user function, its output towards the proxy.
 */
export function protocolMessageType(json: MessageJson, method: string, direction: Side): DescMessage {
  const found = json.method(method);
  if (found === undefined) throw new Error(`no protocol method ${method}`);
  return direction === "to-user-function" ? found.input : found.output;
}

/**
 * Builds the FAULT_REPLACE function of an InjectFault (see cases.proto): the
 * replacement JSON, with the values `copy` names taken from the triggering
 * message (`path`, or `to=from`), encoded as `desc`. Checks now what can be checked before a run:
 * that `desc` reads the replacement, and that every copied path names fields
 * of `desc`; throws an Error saying what is wrong otherwise.
 */
export function replacementBuilder(json: MessageJson, desc: DescMessage, replacement: JsonValue, copy: readonly string[]): (trigger: Uint8Array) => Uint8Array {
  try {
    json.encode(desc, replacement);
  } catch (error) {
    throw new Error(`the replacement is not a ${desc.typeName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const copies = copy.map((entry) => {
    const [to = "", from = to, ...more] = entry.split("=");
    for (const path of [to, from]) {
      const problem = more.length > 0 ? "has more than one '='" : pathProblem(desc, path);
      if (problem !== undefined) throw new Error(`copy "${entry}": ${problem}`);
    }
    return { to: to.split("."), from: from.split(".") };
  });
  return (trigger) => {
    const source = json.decode(desc, trigger);
    let out = structuredClone(replacement);
    for (const { to, from } of copies) out = withValue(out, to, valueAt(source, from));
    return json.encode(desc, out);
  };
}

/** Why `path` does not name a field of `desc` (walking JSON or proto field names), or undefined. */
function pathProblem(desc: DescMessage, path: string): string | undefined {
  if (path === "" || path.split(".").some((p) => p === "" || p === "[]")) return "must be dot-separated field names";
  let current: DescMessage | undefined = desc;
  for (const segment of path.split(".")) {
    // Past a well-known type (Any, Struct, ...) the JSON is not the descriptor's fields: not checked further.
    if (current === undefined || current.typeName.startsWith("google.protobuf.")) return undefined;
    const field: DescField | undefined = current.fields.find((f) => f.jsonName === segment || f.name === segment);
    if (field === undefined) return `${current.typeName} has no field ${segment}`;
    if (field.fieldKind === "list" || field.fieldKind === "map") return undefined;
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return undefined;
}

function valueAt(json: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = json;
  for (const segment of path) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A copy of `json` with `value` at `path` (created as needed), or with `path` removed when value is undefined. */
function withValue(json: JsonValue, path: readonly string[], value: JsonValue | undefined): JsonValue {
  const [head, ...rest] = path;
  if (head === undefined) return value ?? null;
  const object: JsonObject = isObject(json) ? { ...json } : {};
  if (rest.length === 0) {
    return value === undefined ? Object.fromEntries(Object.entries(object).filter(([key]) => key !== head)) : { ...object, [head]: value };
  }
  return { ...object, [head]: withValue(object[head] ?? {}, rest, value) };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
