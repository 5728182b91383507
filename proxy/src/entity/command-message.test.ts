import { describe, expect, it } from "@jest/globals";
import { type cloudstate, crdt, eventsourced, valueentity } from "@cloudstate/protocol";
import fc from "fast-check";
import { COMMAND_FIELD, encodeCommandMessage } from "./command-message.js";

/** What ts-proto writes for the command message of each protocol: the reference. */
const REFERENCES = [
  ["event-sourced", COMMAND_FIELD.eventSourced, (c: cloudstate.Command) => eventsourced.EventSourcedStreamIn.encode({ message: { $case: "command", value: c } }).finish()],
  ["value entity", COMMAND_FIELD.valueEntity, (c: cloudstate.Command) => valueentity.ValueEntityStreamIn.encode({ message: { $case: "command", value: c } }).finish()],
  ["CRDT", COMMAND_FIELD.crdt, (c: cloudstate.Command) => crdt.CrdtStreamIn.encode({ message: { $case: "command", value: c } }).finish()],
] as const;

const base: cloudstate.Command = {
  entityId: "cart-1",
  id: 1n,
  name: "AddItem",
  payload: { typeUrl: "type.googleapis.com/shop.AddItem", value: Uint8Array.of(10, 3, 97, 98, 99) },
  streamed: false,
  metadata: undefined,
};

const CASES: readonly (readonly [string, cloudstate.Command])[] = [
  ["a plain command", base],
  ["defaults everywhere (all omitted)", { entityId: "", id: 0n, name: "", payload: undefined, streamed: false, metadata: undefined }],
  ["a streamed command", { ...base, streamed: true }],
  ["an id needing several varint bytes", { ...base, id: 2n ** 40n + 3n }],
  ["an id beyond the safe integers", { ...base, id: 2n ** 63n - 1n }],
  ["a negative id", { ...base, id: -5n }],
  ["an empty payload Any", { ...base, payload: { typeUrl: "", value: new Uint8Array() } }],
  ["a large payload", { ...base, payload: { typeUrl: "t", value: new Uint8Array(70_000).fill(9) } }],
  ["non-ASCII strings", { ...base, entityId: "ключ-😀", name: "Méthode" }],
  ["empty metadata (still written)", { ...base, metadata: { entries: [] } }],
  [
    "metadata of every kind",
    {
      ...base,
      metadata: {
        entries: [
          { key: "user-agent", value: { $case: "stringValue", value: "grpc-node-js/1.14.7" } },
          { key: "trace-bin", value: { $case: "bytesValue", value: Uint8Array.of(0, 1, 2) } },
          { key: "empty", value: { $case: "stringValue", value: "" } },
          { key: "empty-bin", value: { $case: "bytesValue", value: new Uint8Array() } },
          { key: "", value: undefined },
        ],
      },
    },
  ],
];

describe("encodeCommandMessage", () => {
  describe.each(REFERENCES)("for the %s protocol", (_protocol, field, reference) => {
    it.each(CASES)("writes the bytes ts-proto writes: %s", (_name, command) => {
      expect(new Uint8Array(encodeCommandMessage(field, command))).toEqual(reference(command));
    });
  });

  it("writes the bytes ts-proto writes for any command", () => {
    const text = fc.string({ unit: "binary", maxLength: 30 });
    const entry = fc.record({
      key: text,
      value: fc.option(
        fc.oneof(
          text.map((value) => ({ $case: "stringValue" as const, value })),
          fc.uint8Array({ maxLength: 20 }).map((value) => ({ $case: "bytesValue" as const, value })),
        ),
        { nil: undefined },
      ),
    });
    const command = fc.record({
      entityId: text,
      id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      name: text,
      payload: fc.option(fc.record({ typeUrl: text, value: fc.uint8Array({ maxLength: 200 }) }), { nil: undefined }),
      streamed: fc.boolean(),
      metadata: fc.option(fc.record({ entries: fc.array(entry, { maxLength: 4 }) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(command, fc.constantFrom(...REFERENCES), (c, [, field, reference]) => {
        expect(new Uint8Array(encodeCommandMessage(field, c))).toEqual(reference(c));
      }),
    );
  });

  it("refuses an id that does not fit an int64", () => {
    expect(() => encodeCommandMessage(COMMAND_FIELD.eventSourced, { ...base, id: 2n ** 64n })).toThrow(RangeError);
  });
});
