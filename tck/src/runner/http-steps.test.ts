import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tckCases } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { GrpcWebDriver } from "../protocol/grpc-web-driver.js";
import { expectHttp, expectHttpEvent, sendHttpRequest } from "./http-steps.js";

/** A stand-in for a proxy's HTTP port: fixed answers by path. */
let server: Server;
let address: string;

function frame(flag: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flag, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      switch (request.url) {
        case "/json":
          response.writeHead(200, { "content-type": "application/json", "x-echo": request.headers["x-tenant"] ?? "" });
          response.end(JSON.stringify({ got: Buffer.concat(chunks).toString(), n: "1" }));
          return;
        case "/ndjson":
          response.writeHead(200, { "content-type": "application/x-ndjson" });
          response.write('{"result":{"m":"one"}}\n');
          setTimeout(() => response.end('{"result":{"m":"two"}}\n'), 20);
          return;
        case "/sse":
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.end('data: {"m":"one"}\n\nevent: end\ndata: {}\n\n');
          return;
        case "/web": {
          // Echoes the request message, then OK; in text, each frame base64-encoded on its own.
          const text = (request.headers["content-type"] ?? "").startsWith("application/grpc-web-text");
          const body = Buffer.concat(chunks);
          const raw = text ? Buffer.from(body.toString(), "base64") : body;
          const message = raw.subarray(5);
          const frames = [frame(0, message), frame(0x80, Buffer.from("grpc-status:0\r\n")), frame(0, Buffer.from("late"))];
          response.writeHead(200, { "content-type": text ? "application/grpc-web-text+proto" : "application/grpc-web+proto" });
          for (const f of frames.slice(0, 2)) response.write(text ? f.toString("base64") : f);
          response.end();
          return;
        }
        case "/web-fail":
          response.writeHead(200, { "content-type": "application/grpc-web+proto" });
          response.end(frame(0x80, Buffer.from("grpc-status:5\r\ngrpc-message:no%20cart\r\n")));
          return;
        default:
          response.writeHead(404);
          response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const request = (init: Partial<tckCases.HttpRequest>) => sendHttpRequest(tckCases.HttpRequest.fromPartial({ call: "a", method: "POST", ...init }), address, []);
const expectHttpStep = (init: Partial<tckCases.ExpectHttp>) => tckCases.ExpectHttp.fromPartial({ call: "a", ...init });
const eventStep = (init: Partial<tckCases.ExpectHttpEvent>) => tckCases.ExpectHttpEvent.fromPartial({ call: "a", ...init });

describe("HTTP steps", () => {
  it("check status, headers and JSON body", async () => {
    const exchange = request({ path: "/json", body: "hello", headers: { "x-tenant": "acme" } });
    await expectHttp(expectHttpStep({ status: 200, json: { got: "hello", n: "1" }, headers: { "x-echo": "acme", "content-type": "" } }), exchange, 2000, []);
  });

  it.each<[string, Partial<tckCases.ExpectHttp>, string]>([
    ["status", { status: 201 }, "expected HTTP status 201"],
    ["body", { json: { got: "bye" } }, "differs from the expected"],
    ["header value", { headers: { "x-echo": "other" } }, 'header x-echo of the response to a is "acme"'],
    ["missing header", { headers: { "x-missing": "" } }, "has no header x-missing"],
  ])("fail on a different %s", async (_name, step, message) => {
    const exchange = request({ path: "/json", body: "hello", headers: { "x-tenant": "acme" } });
    await expect(expectHttp(expectHttpStep(step), exchange, 2000, [])).rejects.toThrow(message);
  });

  it("read NDJSON items one by one, then the end", async () => {
    const exchange = request({ path: "/ndjson" });
    await expectHttp(expectHttpStep({ status: 200 }), exchange, 2000, []);
    await expectHttpEvent(eventStep({ json: { result: { m: "one" } } }), exchange, 2000, []);
    await expect(expectHttpEvent(eventStep({ end: true }), exchange, 2000, [])).rejects.toThrow("expected the response to a to end");
    await expectHttpEvent(eventStep({ end: true }), exchange, 2000, []);
  });

  it("read server-sent events with their types", async () => {
    const exchange = request({ path: "/sse" });
    await expectHttpEvent(eventStep({ json: { m: "one" } }), exchange, 2000, []);
    await expect(expectHttpEvent(eventStep({ event: "error", json: {} }), exchange, 2000, [])).rejects.toThrow("expected a error event on a, got a end event");
  });

  it("refuse to read a whole streamed body as JSON", async () => {
    await expect(expectHttp(expectHttpStep({ json: {} }), request({ path: "/ndjson" }), 2000, [])).rejects.toThrow("is streamed");
  });
});

describe("GrpcWebDriver", () => {
  it.each([false, true])("sends the request frame and reads messages and trailers (text: %s)", async (text) => {
    const driver = new GrpcWebDriver(`http://${address}`, "/web", "unary", {}, text);
    driver.send(new Uint8Array([1, 2, 3]));
    expect(Array.from(await driver.next(2000))).toEqual([1, 2, 3]);
    expect(await driver.end(2000)).toEqual({ code: status.OK, details: "" });
  });

  it("ends with the trailers' status and decoded message", async () => {
    const driver = new GrpcWebDriver(`http://${address}`, "/web-fail", "server_streaming", {}, false);
    driver.send(new Uint8Array());
    expect(await driver.end(2000)).toEqual({ code: status.NOT_FOUND, details: "no cart" });
  });

  it("maps an HTTP error status to a gRPC status", async () => {
    const driver = new GrpcWebDriver(`http://${address}`, "/nothing", "unary", {}, false);
    driver.send(new Uint8Array());
    expect((await driver.end(2000)).code).toBe(status.UNIMPLEMENTED);
  });

  it("sends a client stream's messages when it is half-closed", async () => {
    const driver = new GrpcWebDriver(`http://${address}`, "/web", "client_streaming", {}, false);
    driver.send(new Uint8Array([9]));
    expect(await driver.silence(50)).toBeUndefined();
    driver.halfClose();
    expect(Array.from(await driver.next(2000))).toEqual([9]);
  });
});
