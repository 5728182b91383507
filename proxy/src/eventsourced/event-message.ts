// The replayed-event message of the event-sourced protocol, written straight into one Buffer.
// A replay sends one such message per stored event (ES-7), so it is the proxy's hottest encode:
// built through ts-proto it costs a message object, three forks and joins, a bigint varint and a
// UTF-8 encode of the same type URL for every event. The bytes are exactly ts-proto's (the tests
// compare them): fields in number order, default values omitted.
//
//   EventSourcedStreamIn { event (2): EventSourcedEvent {
//     sequence (1): int64, payload (2): google.protobuf.Any { type_url (1): string, value (2): bytes } } }

import type { Any } from "@cloudstate/protocol";
import {
  int64Size,
  int64Value,
  LENGTH_DELIMITED,
  optionalLengthDelimitedSize,
  tag,
  varintSize,
  writeBytesField,
  writeInt64,
  writeVarint,
} from "../entity/wire-format.js";

const STREAM_IN_EVENT = tag(2, LENGTH_DELIMITED);
const EVENT_SEQUENCE = tag(1, 0);
const EVENT_PAYLOAD = tag(2, LENGTH_DELIMITED);
const ANY_TYPE_URL = tag(1, LENGTH_DELIMITED);
const ANY_VALUE = tag(2, LENGTH_DELIMITED);

/** UTF-8 bytes of recently seen type URLs: a journal holds few distinct ones. */
const typeUrlBytes = new Map<string, Buffer>();
const MAX_CACHED_TYPE_URLS = 256;
let lastTypeUrl = "";
let lastTypeUrlBytes: Buffer = Buffer.alloc(0);

/** `EventSourcedStreamIn.encode({ message: { $case: "event", value: { sequence, payload } } })`, as a Buffer. */
export function encodeEventMessage(sequence: bigint, payload: Any): Buffer {
  const typeUrl = utf8(payload.typeUrl);
  const value = payload.value;
  const anyLength = optionalLengthDelimitedSize(typeUrl.length) + optionalLengthDelimitedSize(value.length);
  const seq = sequence === 0n ? undefined : int64Value(sequence);
  const eventLength = (seq === undefined ? 0 : 1 + int64Size(seq)) + 1 + varintSize(anyLength) + anyLength;
  const out = Buffer.allocUnsafe(1 + varintSize(eventLength) + eventLength);
  let pos = 0;
  out[pos++] = STREAM_IN_EVENT;
  pos = writeVarint(out, pos, eventLength);
  if (seq !== undefined) {
    out[pos++] = EVENT_SEQUENCE;
    pos = writeInt64(out, pos, seq);
  }
  out[pos++] = EVENT_PAYLOAD;
  pos = writeVarint(out, pos, anyLength);
  if (typeUrl.length > 0) pos = writeBytesField(out, pos, ANY_TYPE_URL, typeUrl);
  if (value.length > 0) writeBytesField(out, pos, ANY_VALUE, value);
  return out;
}

function utf8(text: string): Buffer {
  // A journal's events mostly share one type URL, each row its own string of it: comparing with
  // the last one is cheaper than hashing every new string for the map.
  if (text === lastTypeUrl) return lastTypeUrlBytes;
  let bytes = typeUrlBytes.get(text);
  if (bytes === undefined) {
    if (typeUrlBytes.size >= MAX_CACHED_TYPE_URLS) typeUrlBytes.clear();
    bytes = Buffer.from(text, "utf8");
    typeUrlBytes.set(text, bytes);
  }
  lastTypeUrl = text;
  lastTypeUrlBytes = bytes;
  return bytes;
}
