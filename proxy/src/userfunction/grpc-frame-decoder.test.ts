import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { FrameError, frameMessage, frameMessages, GrpcFrameDecoder } from "./grpc-frame-decoder.js";

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const decodeAll = (decoder: GrpcFrameDecoder, chunks: readonly Buffer[]): Buffer[] => chunks.flatMap((chunk) => decoder.push(chunk));

describe("frameMessage", () => {
  it.each([
    ["empty message", bytes(), bytes(0, 0, 0, 0, 0)],
    ["three bytes", bytes(1, 2, 3), bytes(0, 0, 0, 0, 3, 1, 2, 3)],
    ["a length over 255", Buffer.alloc(300, 7), Buffer.concat([bytes(0, 0, 0, 1, 44), Buffer.alloc(300, 7)])],
  ])("prefixes %s with a zero flag and its big-endian length", (_name, message, framed) => {
    expect(frameMessage(message)).toEqual(framed);
  });
});

describe("frameMessages", () => {
  it("is the frames of each message, in order, in one buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (messages) => {
        expect(frameMessages(messages)).toEqual(Buffer.concat(messages.map((m) => frameMessage(m))));
      }),
    );
  });
});

describe("GrpcFrameDecoder", () => {
  it.each([
    ["one message in one chunk", [bytes(0, 0, 0, 0, 2, 9, 8)], [bytes(9, 8)]],
    ["two messages in one chunk", [bytes(0, 0, 0, 0, 1, 5, 0, 0, 0, 0, 2, 6, 7)], [bytes(5), bytes(6, 7)]],
    ["an empty message", [bytes(0, 0, 0, 0, 0)], [bytes()]],
    ["a header split over chunks", [bytes(0, 0, 0), bytes(0, 1, 4)], [bytes(4)]],
    ["a body split over chunks", [bytes(0, 0, 0, 0, 3, 1), bytes(2), bytes(3, 0, 0, 0, 0, 1, 9)], [bytes(1, 2, 3), bytes(9)]],
    ["a chunk that ends between messages", [bytes(0, 0, 0, 0, 1, 1), bytes(0, 0, 0, 0, 1, 2)], [bytes(1), bytes(2)]],
  ])("splits %s", (_name, chunks, messages) => {
    expect(decodeAll(new GrpcFrameDecoder(1024), chunks)).toEqual(messages);
  });

  it("returns the same messages however the stream is cut", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => frameMessage(m)));
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const size = cuts[i % cuts.length] ?? 1;
          chunks.push(stream.subarray(at, at + size));
          at += size;
        }
        const decoder = new GrpcFrameDecoder(1024);
        expect(decodeAll(decoder, chunks).map((m) => new Uint8Array(m))).toEqual(messages.map((m) => new Uint8Array(m)));
        expect(decoder.atBoundary).toBe(true);
      }),
    );
  });

  it("is not at a boundary in the middle of a header or a body", () => {
    const decoder = new GrpcFrameDecoder(1024);
    decoder.push(bytes(0, 0));
    expect(decoder.atBoundary).toBe(false);
    decoder.push(bytes(0, 0, 2, 1));
    expect(decoder.atBoundary).toBe(false);
    decoder.push(bytes(1));
    expect(decoder.atBoundary).toBe(true);
  });

  it.each([
    ["a compressed message", bytes(1, 0, 0, 0, 1, 5), false],
    ["an unknown flag", bytes(2, 0, 0, 0, 1, 5), false],
    ["a message over the limit", bytes(0, 0, 0, 4, 1), true],
  ])("refuses %s", (_name, chunk, tooLarge) => {
    const decoder = new GrpcFrameDecoder(1024);
    let caught: unknown;
    try {
      decoder.push(chunk);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FrameError);
    expect(caught).toMatchObject({ tooLarge });
  });

  it("accepts a message of exactly the limit", () => {
    expect(decodeAll(new GrpcFrameDecoder(3), [bytes(0, 0, 0, 0, 3, 1, 2, 3)])).toEqual([bytes(1, 2, 3)]);
  });
});
