// What StreamConnection reports as a possible loss of the user function (onUnavailable), for the
// user function connection state (spec/failover.md §5).

import { afterEach, describe, expect, it } from "@jest/globals";
import { type handleBidiStreamingCall, Server, ServerCredentials, status } from "@grpc/grpc-js";
import type { CallStatus, DuplexCall } from "./duplex-call.js";
import { StreamConnection } from "./stream-connection.js";

const passthrough = (b: Buffer): Buffer => b;
const method = (path: string) => ({ path, requestStream: true, responseStream: true, requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough });

/** Refuse ends UNAVAILABLE at the first message, as an intermediary whose user function is gone; Break answers once, then does the same. */
async function server(): Promise<{ server: Server; port: number }> {
  const s = new Server();
  const refuse: handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.on("data", () => call.emit("error", { code: status.UNAVAILABLE, details: "no user function behind me" }));
  };
  const breakAfterAnswer: handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    call.once("data", (message: Buffer) => {
      call.write(message);
      call.on("data", () => call.emit("error", { code: status.UNAVAILABLE, details: "broke" }));
    });
  };
  s.addService({ Refuse: method("/test.T/Refuse"), Break: method("/test.T/Break") }, { Refuse: refuse, Break: breakAfterAnswer });
  const port = await new Promise<number>((resolve, reject) => s.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { server: s, port };
}

function statusOf(call: DuplexCall): Promise<CallStatus> {
  return new Promise((resolve) => call.on("status", resolve));
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function setup(): Promise<{ connection: StreamConnection; reports: string[]; server: Server }> {
  const { server: s, port } = await server();
  const reports: string[] = [];
  const connection = new StreamConnection(`127.0.0.1:${port}`, { maxMessageBytes: 1024, keepaliveMs: 60_000, keepaliveTimeoutMs: 20_000, onUnavailable: (reason) => reports.push(reason) });
  cleanups.push(() => connection.close(), () => s.forceShutdown());
  return { connection, reports, server: s };
}

describe("StreamConnection onUnavailable", () => {
  it("reports a call that ends UNAVAILABLE before the user function sent anything, before the call's owner hears of it", async () => {
    const { connection, reports } = await setup();
    const call = connection.open("/test.T/Refuse");
    const seen = new Promise<number>((resolve) => call.on("status", () => resolve(reports.length)));
    call.write(Buffer.from("x"));
    expect(await seen).toBe(1);
    expect(reports).toEqual(["no user function behind me"]);
  });

  it("does not report a call that broke after the user function answered on it (a stream break)", async () => {
    const { connection, reports } = await setup();
    const call = connection.open("/test.T/Break");
    const ended = statusOf(call);
    const answered = new Promise<void>((resolve) => call.once("data", () => resolve()));
    call.write(Buffer.from("x"));
    await answered;
    call.write(Buffer.from("y"));
    expect(await ended).toMatchObject({ code: status.UNAVAILABLE });
    expect(reports).toEqual([]);
  });

  it("reports the loss of the connection, but not its own close", async () => {
    const { connection, reports, server: s } = await setup();
    const call = connection.open("/test.T/Break");
    const answered = new Promise<void>((resolve) => call.once("data", () => resolve()));
    call.write(Buffer.from("x"));
    await answered;
    const reportedWhenEnded = new Promise<number>((resolve) => call.on("status", (st: CallStatus) => resolve(st.code === status.UNAVAILABLE ? reports.length : -1)));
    s.forceShutdown();
    expect(await reportedWhenEnded).toBeGreaterThan(0);
    const before = reports.length;
    connection.close();
    expect(reports).toHaveLength(before);
  });
});
