import { describe, expect, it } from "@jest/globals";
import { AnySupport, UnknownTypeError } from "./any-support.js";
import { typeNameOf } from "./codec.js";
import { jsonCodec } from "./json-codec.js";
import { messageCodec } from "./message-codec.js";
import { primitives } from "./primitives.js";
import { tckModelEventSourced } from "@cloudstate/protocol";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("primitives (spec/payloads.md)", () => {
  // Expected bytes are the protobuf encoding of field 1 of the given scalar type.
  const cases: [string, { typeUrl: string; encode(v: never): Uint8Array; decode(b: Uint8Array): unknown }, unknown, string][] = [
    ["string", primitives.string, "hi", "0a026869"],
    ["empty string", primitives.string, "", ""],
    ["bytes", primitives.bytes, new Uint8Array([1, 2]), "0a020102"],
    ["int32", primitives.int32, 150, "089601"],
    ["negative int32", primitives.int32, -1, "08ffffffffffffffffff01"],
    ["int64", primitives.int64, 1n << 40n, "08808080808020"],
    ["float", primitives.float, 1.5, "0d0000c03f"],
    ["double", primitives.double, 0.5, "09000000000000e03f"],
    ["bool", primitives.bool, true, "0801"],
    ["false", primitives.bool, false, ""],
  ];
  it.each(cases)("%s encodes as field 1 and decodes back", (_name, codec, value, expected) => {
    const bytes = codec.encode(value as never);
    expect(hex(bytes)).toBe(expected);
    expect(codec.decode(bytes)).toEqual(value);
  });

  it("names primitives under p.cloudstate.io/", () => {
    expect(primitives.string.typeUrl).toBe("p.cloudstate.io/string");
    expect(primitives.int64.typeUrl).toBe("p.cloudstate.io/int64");
  });

  it("ignores unknown fields when decoding", () => {
    expect(primitives.string.decode(Buffer.from("10010a0178", "hex"))).toBe("x");
  });
});

describe("JSON payloads", () => {
  it("wraps UTF-8 JSON text in field 1 under json.cloudstate.io/", () => {
    const codec = jsonCodec<{ message: string }>("JsonEvent");
    const bytes = codec.encode({ message: "é" });
    expect(codec.typeUrl).toBe("json.cloudstate.io/JsonEvent");
    expect(hex(bytes)).toBe("0a" + "10" + Buffer.from('{"message":"é"}').toString("hex"));
    expect(codec.decode(bytes)).toEqual({ message: "é" });
  });
});

describe("AnySupport", () => {
  const Persisted = messageCodec(tckModelEventSourced.Persisted);
  const support = new AnySupport([Persisted]);

  it("packs messages under type.googleapis.com/ and unpacks them whatever the prefix", () => {
    const any = support.pack(Persisted, { value: "a" });
    expect(any.typeUrl).toBe("type.googleapis.com/cloudstate.tck.model.Persisted");
    expect(support.unpack({ ...any, typeUrl: "example.org/x/cloudstate.tck.model.Persisted" }).value).toEqual({ value: "a" });
  });

  it("unpacks primitives and JSON without registration", () => {
    expect(support.unpack(support.pack(primitives.int32, 7)).value).toBe(7);
    expect(support.unpack(support.pack(jsonCodec("Anything"), [1, "two"])).value).toEqual([1, "two"]);
  });

  it("rejects unknown types with a clear error", () => {
    expect(() => support.unpack({ typeUrl: "type.googleapis.com/no.Such", value: new Uint8Array() })).toThrow(UnknownTypeError);
    expect(() => support.unpack({ typeUrl: "type.googleapis.com/no.Such", value: new Uint8Array() })).toThrow("no.Such");
  });

  it("packs dynamic values deterministically by JavaScript type", () => {
    expect(support.packDynamic("x").typeUrl).toBe("p.cloudstate.io/string");
    expect(support.packDynamic(2n).typeUrl).toBe("p.cloudstate.io/int64");
    expect(support.packDynamic(2.5).typeUrl).toBe("p.cloudstate.io/double");
    expect(support.packDynamic(true).typeUrl).toBe("p.cloudstate.io/bool");
    expect(support.packDynamic(new Uint8Array([1])).typeUrl).toBe("p.cloudstate.io/bytes");
    expect(hex(support.packDynamic({ a: 1 }).value)).toBe(hex(support.packDynamic({ a: 1 }).value));
    expect(support.packDynamic({ a: 1 }).typeUrl).toBe("json.cloudstate.io/object");
    // Member order does not matter: equal objects pack to equal bytes (ANY-16).
    expect(hex(support.packDynamic({ b: { y: 1, x: 2 }, a: 1 }).value)).toBe(hex(support.packDynamic({ a: 1, b: { x: 2, y: 1 } }).value));
  });

  it("takes the type name after the last slash", () => {
    expect(typeNameOf("a/b/c.D")).toBe("c.D");
    expect(typeNameOf("c.D")).toBe("c.D");
  });
});
