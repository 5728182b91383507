import { describe, expect, it } from "@jest/globals";
import { type Any, eventsourced } from "@cloudstate/protocol";
import fc from "fast-check";
import { encodeEventMessage } from "./event-message.js";

/** What ts-proto writes for the same event message: the reference. */
function reference(sequence: bigint, payload: Any): Uint8Array {
  return eventsourced.EventSourcedStreamIn.encode({ message: { $case: "event", value: { sequence, payload } } }).finish();
}

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
const TYPE = "type.googleapis.com/cloudstate.tck.model.eventsourced.Persisted";

describe("encodeEventMessage", () => {
  it.each([
    ["sequence 1, small payload", 1n, { typeUrl: TYPE, value: bytes(3) }],
    ["sequence 0 (omitted, as protobuf omits defaults)", 0n, { typeUrl: TYPE, value: bytes(3) }],
    ["sequence needing two varint bytes", 128n, { typeUrl: TYPE, value: bytes(3) }],
    ["sequence above 2^31", 2n ** 40n + 5n, { typeUrl: TYPE, value: bytes(3) }],
    ["largest safe integer", BigInt(Number.MAX_SAFE_INTEGER), { typeUrl: TYPE, value: bytes(3) }],
    ["beyond the safe integers", BigInt(Number.MAX_SAFE_INTEGER) + 1n, { typeUrl: TYPE, value: bytes(3) }],
    ["int64 maximum", 2n ** 63n - 1n, { typeUrl: TYPE, value: bytes(3) }],
    ["negative (ten bytes of two's complement)", -1n, { typeUrl: TYPE, value: bytes(3) }],
    ["empty value (omitted)", 5n, { typeUrl: TYPE, value: new Uint8Array() }],
    ["empty type URL (omitted)", 5n, { typeUrl: "", value: bytes(3) }],
    ["empty Any", 5n, { typeUrl: "", value: new Uint8Array() }],
    ["non-ASCII type URL", 5n, { typeUrl: "type.example/é€😀", value: bytes(2) }],
    ["payload with a two-byte length", 9n, { typeUrl: TYPE, value: bytes(200) }],
    ["payload with a three-byte length", 9n, { typeUrl: TYPE, value: bytes(20_000) }],
  ] as const)("writes the bytes ts-proto writes: %s", (_name, sequence, payload) => {
    expect(new Uint8Array(encodeEventMessage(sequence, payload))).toEqual(reference(sequence, payload));
  });

  it("writes the bytes ts-proto writes for any int64 sequence and any payload", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ unit: "grapheme", maxLength: 80 }), fc.uint8Array({ maxLength: 300 }), (sequence, typeUrl, value) => {
        const payload = { typeUrl, value };
        expect(new Uint8Array(encodeEventMessage(sequence, payload))).toEqual(reference(sequence, payload));
      }),
    );
  });

  it("decodes back to the same event", () => {
    const payload = { typeUrl: TYPE, value: bytes(40) };
    const decoded = eventsourced.EventSourcedStreamIn.decode(encodeEventMessage(42n, payload));
    expect(decoded.message).toEqual({ $case: "event", value: { sequence: 42n, payload } });
  });

  it("refuses a sequence that does not fit an int64", () => {
    expect(() => encodeEventMessage(2n ** 63n, { typeUrl: TYPE, value: bytes(1) })).toThrow(RangeError);
  });

  it("keeps type URLs apart in its cache", () => {
    for (let i = 0; i < 600; i++) {
      const payload = { typeUrl: `${TYPE}${i % 300}`, value: bytes(1) };
      expect(new Uint8Array(encodeEventMessage(1n, payload))).toEqual(reference(1n, payload));
    }
  });
});
