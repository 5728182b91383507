// The one call every measurement makes: EventSourcedTckModel/Process with one Emit action, so
// the floor relay, the proxy on memory and the proxy on PostgreSQL see the same bytes.

import { tckModelEventSourced as model } from "@cloudstate/protocol";

/** gRPC path served by the proxy (from the TCK contract) and, with the same bytes, by the relay. */
export const PROCESS_PATH = "/cloudstate.tck.model.EventSourcedTckModel/Process";

/** Path of the floor's echo stream (bench/echo-server.ts), which the relay opens once per entity key. */
export const ECHO_PATH = "/bench.Echo/Stream";

/** Persistence id of the bench user function's journal. */
export const PERSISTENCE_ID = "bench-counter";

/** Value of every emitted event: 36 characters, which makes a request of about 50 bytes. */
export const EVENT_VALUE = "bench-event-0123456789-abcdefghijklmn";

/** Entity key number `i` (8 characters for the first 10,000 keys). */
export function keyName(i: number, prefix = "key-"): string {
  return `${prefix}${String(i).padStart(4, "0")}`;
}

/** An encoded Process request for `key` that emits `emits` events of {@link EVENT_VALUE}. */
export function processRequest(key: string, emits = 1): Buffer {
  const actions: model.RequestAction[] = [];
  for (let i = 0; i < emits; i++) actions.push({ action: { $case: "emit", value: { value: EVENT_VALUE } } });
  return Buffer.from(model.Request.encode({ id: key, actions }).finish());
}

/** The event count the bench user function reports in a Process response (`<count>:<last value>`). */
export function countOf(response: Uint8Array): number {
  const message = model.Response.decode(response).message;
  return Number(message.slice(0, message.indexOf(":")));
}

/**
 * The key of an encoded request without decoding it: field 1 (`id`) is written first, as a tag
 * byte 0x0a, a varint length and the bytes. Undefined when the request does not start so.
 */
export function peekKey(request: Buffer): string | undefined {
  if (request[0] !== 0x0a) return undefined;
  let length = 0;
  let shift = 0;
  let at = 1;
  for (;;) {
    const byte = request[at++];
    if (byte === undefined) return undefined;
    length |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
    shift += 7;
    if (shift > 28) return undefined;
  }
  return at + length <= request.length ? request.toString("latin1", at, at + length) : undefined;
}
