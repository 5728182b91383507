import { describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { decodeBase64Body, decodeFrames, encodeFrame, FramingError, percentDecodeMessage, percentEncodeMessage, TRAILER_FLAG, trailerFrame } from "./grpc-web-framing.js";

describe("gRPC-web framing", () => {
  it("encodes a frame as flag, big-endian length and payload", () => {
    expect(encodeFrame(0, new Uint8Array([1, 2, 3])).toString("hex")).toBe("0000000003010203");
    expect(encodeFrame(TRAILER_FLAG, new Uint8Array()).toString("hex")).toBe("8000000000");
  });

  it("writes trailers as header lines in a frame flagged 0x80", () => {
    const frame = trailerFrame(status.NOT_FOUND, "no cart for bob");
    const [decoded] = decodeFrames(frame);
    expect(decoded?.flag).toBe(0x80);
    expect(Buffer.from(decoded?.payload ?? []).toString()).toBe("grpc-status:5\r\ngrpc-message:no cart for bob\r\n");
    expect(Buffer.from(decodeFrames(trailerFrame(status.OK, ""))[0]?.payload ?? []).toString()).toBe("grpc-status:0\r\n");
  });

  it("splits a body into its frames", () => {
    const body = Buffer.concat([encodeFrame(0, new Uint8Array([9])), encodeFrame(0, new Uint8Array()), trailerFrame(status.OK, "")]);
    expect(decodeFrames(body).map((f) => [f.flag, f.payload.length])).toEqual([
      [0, 1],
      [0, 0],
      [0x80, 15],
    ]);
  });

  it.each<[string, string]>([
    ["a truncated header", "000000"],
    ["a truncated payload", "0000000005010203"],
  ])("refuses %s", (_name, hex) => {
    expect(() => decodeFrames(Buffer.from(hex, "hex"))).toThrow(FramingError);
  });

  it.each<[string, string, string]>([
    ["one run", Buffer.from([0, 0, 0, 0, 1, 7]).toString("base64"), "000000000107"],
    ["runs padded separately", `${Buffer.from([1]).toString("base64")}${Buffer.from([2, 3]).toString("base64")}${Buffer.from([4, 5, 6]).toString("base64")}`, "010203040506"],
    ["whitespace", "AQ==\r\nAg==", "0102"],
    ["empty", "", ""],
  ])("decodes a text body: %s", (_name, text, hex) => {
    expect(Buffer.from(decodeBase64Body(text)).toString("hex")).toBe(hex);
  });

  it.each(["AQ=", "not base64!", "AQID="])("refuses the text body %s", (text) => {
    expect(() => decodeBase64Body(text)).toThrow(FramingError);
  });

  it.each<[string, string]>([
    ["plain", "plain"],
    ["50% off", "50%25 off"],
    ["déjà vu\n", "d%C3%A9j%C3%A0 vu%0A"],
  ])("percent-encodes the status message %j", (message, encoded) => {
    expect(percentEncodeMessage(message)).toBe(encoded);
    expect(percentDecodeMessage(encoded)).toBe(message);
  });
});
