import type { cloudstate } from "@cloudstate/protocol";
import type { EventLogEntry } from "../store/store.js";
import type { CloudEventAttributes } from "./event-source.js";

/** Prefix of JSON payloads (spec/payloads.md §4). */
export const JSON_TYPE_PREFIX = "json.cloudstate.io/";
/** Prefix of primitive payloads (spec/payloads.md §3). */
export const PRIMITIVE_TYPE_PREFIX = "p.cloudstate.io/";

/** The type name of a type URL: the part after the last `/` (ANY-2). */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}

/** Whether a payload is JSON or a primitive rather than a protobuf message (EVT-12). */
export function isJsonOrPrimitive(typeUrl: string): boolean {
  return typeUrl.startsWith(JSON_TYPE_PREFIX) || typeUrl.startsWith(PRIMITIVE_TYPE_PREFIX);
}

/** The CloudEvent attributes of an event of the event log of `persistenceId` (EVT-28, EVT-29, META-24..28). */
export function eventLogCloudEvent(persistenceId: string, entry: EventLogEntry): CloudEventAttributes {
  return {
    // The sequence never holds a `:`, so the id splits at its last one whatever the key (META-27).
    id: `${entry.entityId}:${entry.sequence}`,
    source: persistenceId,
    type: typeNameOf(entry.payload.typeUrl),
    subject: entry.entityId,
    time: entry.timestamp.toISOString(),
  };
}

/**
 * The metadata of the call that delivers an event: its CloudEvent attributes in binary content
 * mode, `ce-` keys with text values, and nothing else (EVT-17, META-23).
 */
export function cloudEventMetadata(event: CloudEventAttributes): cloudstate.Metadata {
  const entries: [string, string][] = [
    ["ce-specversion", "1.0"],
    ["ce-id", event.id],
    ["ce-source", event.source],
    ["ce-type", event.type],
  ];
  if (event.subject !== undefined) entries.push(["ce-subject", event.subject]);
  if (event.time !== undefined) entries.push(["ce-time", event.time]);
  return { entries: entries.map(([key, value]) => ({ key, value: { $case: "stringValue", value } })) };
}
