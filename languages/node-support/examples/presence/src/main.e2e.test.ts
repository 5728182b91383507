// End to end: the example's process (dist/main.js) behind the reference proxy,
// called as any gRPC client would call it. Needs `npx tsc --build` first.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { fileURLToPath } from "node:url";
import { runBehindProxy, type RunningExample } from "../../test-support/behind-proxy.js";
import { ServiceClient, StreamReader } from "../../test-support/service-client.js";
import { PresenceDefinition } from "./gen/example/chat/presence/presence.js";

let example: RunningExample | undefined;
let client: ServiceClient<typeof PresenceDefinition>;

beforeAll(async () => {
  example = await runBehindProxy(fileURLToPath(new URL("..", import.meta.url)));
  client = new ServiceClient(PresenceDefinition, example.address);
}, 30_000);
afterAll(async () => {
  client.close();
  await example?.stop();
}, 30_000);

describe("presence behind the reference proxy", () => {
  it("shows a user online while a Connect call is open, offline once it is cancelled", async () => {
    const monitor = new StreamReader(client.serverStream("monitor", { name: "alice" }));
    expect(await monitor.next()).toEqual({ online: false });

    const connection = new StreamReader(client.serverStream("connect", { name: "alice" }));
    expect(await monitor.next()).toEqual({ online: true });

    connection.call.cancel();
    expect((await connection.end())?.code).toBe(status.CANCELLED);
    expect(await monitor.next()).toEqual({ online: false });

    monitor.call.cancel();
    expect((await monitor.end())?.code).toBe(status.CANCELLED);
  }, 20_000);
});
