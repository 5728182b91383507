import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type Http2Server, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { type handleBidiStreamingCall, Server, ServerCredentials, status } from "@grpc/grpc-js";
import type { CallStatus, DuplexCall } from "./duplex-call.js";
import { StreamConnection } from "./stream-connection.js";

const passthrough = (b: Buffer): Buffer => b;
const method = (path: string) => ({ path, requestStream: true, responseStream: true, requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough });

/** A grpc-js server: Echo answers every message with itself and ends OK when the client does; Fail ends with an error. */
async function grpcServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = new Server();
  const echo: handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", (message: Buffer) => call.write(message));
    call.on("end", () => call.end());
  };
  const fail: handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", () => call.emit("error", { code: status.NOT_FOUND, details: "no such entity: 100% é" }));
  };
  server.addService({ Echo: method("/test.Echo/Echo"), Fail: method("/test.Echo/Fail") }, { Echo: echo, Fail: fail });
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { server, port: bound };
}

/** A plain HTTP/2 server whose streams `handle` serves. */
async function http2Server(handle: (stream: ServerHttp2Stream) => void): Promise<{ server: Http2Server; port: number }> {
  const server = createServer();
  server.on("stream", (stream: ServerHttp2Stream) => {
    // A reset the test provokes is reported here; it is the client's handling that is tested.
    stream.on("error", () => undefined);
    handle(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Outcome {
  readonly messages: Buffer[];
  readonly status: Promise<CallStatus>;
  /** Statuses and closes seen, in order, to check each comes once. */
  readonly events: string[];
}

function watch(call: DuplexCall): Outcome {
  const messages: Buffer[] = [];
  const events: string[] = [];
  call.on("data", (message: Buffer) => messages.push(message));
  const statusSeen = new Promise<CallStatus>((resolve) =>
    call.on("status", (s: CallStatus) => {
      events.push("status");
      resolve(s);
    }),
  );
  call.on("close", () => events.push("close"));
  return { messages, status: statusSeen, events };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function connection(port: number, maxMessageBytes = 64 * 1024 * 1024): StreamConnection {
  const c = new StreamConnection(`127.0.0.1:${port}`, { maxMessageBytes, keepaliveMs: 30_000, keepaliveTimeoutMs: 20_000 });
  cleanups.push(() => c.close());
  return c;
}

async function started(port = 0): Promise<{ server: Server; port: number }> {
  const s = await grpcServer(port);
  cleanups.push(() => s.server.forceShutdown());
  return s;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe("StreamConnection and DuplexCall against a grpc-js server", () => {
  it("carries every message both ways in order, large ones too, and ends OK after the half-close", async () => {
    const { port } = await started();
    const call = connection(port).open("/test.Echo/Echo");
    const outcome = watch(call);
    const sent = Array.from({ length: 2000 }, (_, i) => Buffer.from(`message ${i}`));
    sent.splice(1000, 0, Buffer.alloc(100_000, 3), Buffer.alloc(0));
    for (const message of sent) call.write(message);
    call.end();
    expect(await outcome.status).toEqual({ code: status.OK, details: "OK" });
    expect(outcome.messages).toEqual(sent);
    await settle();
    expect(outcome.events).toEqual(["status", "close"]);
  });

  it("carries batched writes as the same messages, in order, between single ones", async () => {
    const { port } = await started();
    const call = connection(port).open("/test.Echo/Echo");
    const outcome = watch(call);
    const batch = Array.from({ length: 500 }, (_, i) => Buffer.from(`batched ${i}`));
    call.write(Buffer.from("first"));
    call.writeBatch(batch);
    call.writeBatch([]);
    call.write(Buffer.from("last"));
    call.end();
    expect(await outcome.status).toEqual({ code: status.OK, details: "OK" });
    expect(outcome.messages).toEqual([Buffer.from("first"), ...batch, Buffer.from("last")]);
  });

  it("reports the server's status and its percent-decoded message", async () => {
    const { port } = await started();
    const call = connection(port).open("/test.Echo/Fail");
    const outcome = watch(call);
    call.write(Buffer.from("x"));
    expect(await outcome.status).toEqual({ code: status.NOT_FOUND, details: "no such entity: 100% é" });
  });

  it("reports UNIMPLEMENTED for a method the server does not have", async () => {
    const { port } = await started();
    const outcome = watch(connection(port).open("/test.Echo/Missing"));
    expect((await outcome.status).code).toBe(status.UNIMPLEMENTED);
  });

  it("ends CANCELLED, once, when the client cancels", async () => {
    const { port } = await started();
    const call = connection(port).open("/test.Echo/Echo");
    const outcome = watch(call);
    call.write(Buffer.from("a"));
    call.cancel();
    call.cancel();
    expect((await outcome.status).code).toBe(status.CANCELLED);
    await settle();
    expect(outcome.events).toEqual(["status", "close"]);
  });

  it("ends RESOURCE_EXHAUSTED when the server sends a message over the limit", async () => {
    const { port } = await started();
    const call = connection(port, 10).open("/test.Echo/Echo");
    const outcome = watch(call);
    call.write(Buffer.alloc(5));
    call.write(Buffer.alloc(20));
    expect((await outcome.status).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outcome.messages).toEqual([Buffer.alloc(5)]);
  });

  it("ends UNAVAILABLE when nothing listens, and when the server goes away mid-call; the next call reconnects", async () => {
    const { server, port } = await grpcServer();
    const streams = connection(port);
    const first = streams.open("/test.Echo/Echo");
    const outcome = watch(first);
    first.write(Buffer.from("a"));
    for (let i = 0; i < 100 && outcome.messages.length === 0; i++) await settle();
    server.forceShutdown();
    expect((await outcome.status).code).toBe(status.UNAVAILABLE);
    first.write(Buffer.from("dropped after the end"));

    const refused = watch(streams.open("/test.Echo/Echo"));
    expect((await refused.status).code).toBe(status.UNAVAILABLE);

    await started(port);
    const again = streams.open("/test.Echo/Echo");
    const answered = watch(again);
    again.write(Buffer.from("b"));
    again.end();
    expect((await answered.status).code).toBe(status.OK);
    expect(answered.messages).toEqual([Buffer.from("b")]);
  });

  it("fails calls at once after close", async () => {
    const { port } = await started();
    const streams = connection(port);
    const open = watch(streams.open("/test.Echo/Echo"));
    streams.close();
    expect((await open.status).code).toBe(status.UNAVAILABLE);
    expect((await watch(streams.open("/test.Echo/Echo")).status).code).toBe(status.UNAVAILABLE);
  });
});

describe("DuplexCall against other HTTP/2 servers", () => {
  it.each([
    [404, status.UNIMPLEMENTED],
    [503, status.UNAVAILABLE],
    [500, status.UNKNOWN],
  ])("maps an HTTP %i without gRPC status to %i", async (httpStatus, code) => {
    const { server, port } = await http2Server((stream) => {
      stream.respond({ ":status": httpStatus }, { endStream: true });
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect((await watch(connection(port).open("/x/Y")).status).code).toBe(code);
  });

  it("ends INTERNAL when the server resets the stream without a status", async () => {
    const { server, port } = await http2Server((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      stream.close(2);
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect((await watch(connection(port).open("/x/Y")).status).code).toBe(status.INTERNAL);
  });

  it("asks the writer to wait while the server does not read, and drains once it does", async () => {
    let serverStream: ServerHttp2Stream | undefined;
    const { server, port } = await http2Server((stream) => {
      serverStream = stream;
      stream.pause();
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const call = connection(port).open("/x/Y");
    const outcome = watch(call);
    let accepted = 0;
    while (call.write(Buffer.alloc(1000)) && accepted < 10_000) accepted++;
    // The HTTP/2 flow-control window (64 KiB) and the stream's buffer hold a bounded amount.
    expect(accepted).toBeLessThan(200);
    const drained = new Promise<void>((resolve) => call.once("drain", resolve));
    serverStream?.resume();
    await drained;
    call.cancel();
    expect((await outcome.status).code).toBe(status.CANCELLED);
  });
});
