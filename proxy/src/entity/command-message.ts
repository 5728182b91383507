// The command message of the entity protocols, written straight into one Buffer: one per command
// of every entity, so it is on the path of every call. Through ts-proto it cost a writer's
// growing buffer, forks and joins, and a fresh ArrayBuffer for the result; here the sizes come
// first and the bytes go into one (pooled, when small) Buffer. The bytes are exactly ts-proto's
// (the tests compare them): fields in number order, default values omitted, a oneof written
// whenever it is set.
//
//   <Entity>StreamIn { command (N): cloudstate.Command {
//     entity_id (1): string, id (2): int64, name (3): string, payload (4): Any,
//     streamed (5): bool, metadata (6): Metadata { entries (1): MetadataEntry {
//       key (1): string, oneof value { string_value (2): string, bytes_value (3): bytes } } } } }

import type { cloudstate } from "@cloudstate/protocol";
import {
  int64Size,
  int64Value,
  LENGTH_DELIMITED,
  lengthDelimitedSize,
  optionalLengthDelimitedSize,
  tag,
  writeBytesField,
  writeInt64,
  writeStringField,
  writeVarint,
} from "./wire-format.js";

const COMMAND_ENTITY_ID = tag(1, LENGTH_DELIMITED);
const COMMAND_ID = tag(2, 0);
const COMMAND_NAME = tag(3, LENGTH_DELIMITED);
const COMMAND_PAYLOAD = tag(4, LENGTH_DELIMITED);
const COMMAND_STREAMED = tag(5, 0);
const COMMAND_METADATA = tag(6, LENGTH_DELIMITED);
const ANY_TYPE_URL = tag(1, LENGTH_DELIMITED);
const ANY_VALUE = tag(2, LENGTH_DELIMITED);
const METADATA_ENTRY = tag(1, LENGTH_DELIMITED);
const ENTRY_KEY = tag(1, LENGTH_DELIMITED);
const ENTRY_STRING = tag(2, LENGTH_DELIMITED);
const ENTRY_BYTES = tag(3, LENGTH_DELIMITED);

/** Field numbers of `command` in each entity protocol's StreamIn message. */
export const COMMAND_FIELD = { eventSourced: 3, valueEntity: 2, crdt: 5 } as const;

/** Sizes of one metadata entry: its key's and value's UTF-8 lengths and the entry's own length. */
interface EntrySizes {
  readonly key: number;
  readonly value: number;
  readonly entry: number;
}

/**
 * `<Entity>StreamIn.encode({ message: { $case: "command", value: command } })` for the protocol
 * whose StreamIn has `command` at field `field` (see {@link COMMAND_FIELD}), as a Buffer.
 */
export function encodeCommandMessage(field: number, command: cloudstate.Command): Buffer {
  const entityIdLength = Buffer.byteLength(command.entityId);
  const nameLength = Buffer.byteLength(command.name);
  const id = command.id === 0n ? undefined : int64Value(command.id);
  const payload = command.payload;
  const typeUrlLength = payload === undefined ? 0 : Buffer.byteLength(payload.typeUrl);
  const anyLength = payload === undefined ? 0 : optionalLengthDelimitedSize(typeUrlLength) + optionalLengthDelimitedSize(payload.value.length);
  const metadata = command.metadata;
  const entries: EntrySizes[] = [];
  let metadataLength = 0;
  for (const entry of metadata?.entries ?? []) {
    const key = Buffer.byteLength(entry.key);
    const value = entry.value === undefined ? 0 : entry.value.$case === "stringValue" ? Buffer.byteLength(entry.value.value) : entry.value.value.length;
    const length = optionalLengthDelimitedSize(key) + (entry.value === undefined ? 0 : lengthDelimitedSize(value));
    entries.push({ key, value, entry: length });
    metadataLength += lengthDelimitedSize(length);
  }
  const commandLength =
    optionalLengthDelimitedSize(entityIdLength) +
    (id === undefined ? 0 : 1 + int64Size(id)) +
    optionalLengthDelimitedSize(nameLength) +
    (payload === undefined ? 0 : lengthDelimitedSize(anyLength)) +
    (command.streamed ? 2 : 0) +
    (metadata === undefined ? 0 : lengthDelimitedSize(metadataLength));

  const out = Buffer.allocUnsafe(lengthDelimitedSize(commandLength));
  let pos = 0;
  out[pos++] = tag(field, LENGTH_DELIMITED);
  pos = writeVarint(out, pos, commandLength);
  if (entityIdLength > 0) pos = writeStringField(out, pos, COMMAND_ENTITY_ID, command.entityId, entityIdLength);
  if (id !== undefined) {
    out[pos++] = COMMAND_ID;
    pos = writeInt64(out, pos, id);
  }
  if (nameLength > 0) pos = writeStringField(out, pos, COMMAND_NAME, command.name, nameLength);
  if (payload !== undefined) {
    out[pos++] = COMMAND_PAYLOAD;
    pos = writeVarint(out, pos, anyLength);
    if (typeUrlLength > 0) pos = writeStringField(out, pos, ANY_TYPE_URL, payload.typeUrl, typeUrlLength);
    if (payload.value.length > 0) pos = writeBytesField(out, pos, ANY_VALUE, payload.value);
  }
  if (command.streamed) {
    out[pos++] = COMMAND_STREAMED;
    out[pos++] = 1;
  }
  if (metadata !== undefined) {
    out[pos++] = COMMAND_METADATA;
    pos = writeVarint(out, pos, metadataLength);
    metadata.entries.forEach((entry, i) => {
      const sizes = entries[i];
      if (sizes === undefined) return;
      out[pos++] = METADATA_ENTRY;
      pos = writeVarint(out, pos, sizes.entry);
      if (sizes.key > 0) pos = writeStringField(out, pos, ENTRY_KEY, entry.key, sizes.key);
      const value = entry.value;
      if (value?.$case === "stringValue") pos = writeStringField(out, pos, ENTRY_STRING, value.value, sizes.value);
      else if (value?.$case === "bytesValue") pos = writeBytesField(out, pos, ENTRY_BYTES, value.value);
    });
  }
  return out;
}
