import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { grpcHealth } from "@cloudstate/protocol";
import { credentials, type ClientReadableStream, Server, ServerCredentials, type ServiceError, status } from "@grpc/grpc-js";
import { HealthStatus, healthService, ServingStatus } from "./health-service.js";

const { HealthClient } = grpcHealth;

/** Pulls the messages of a server stream one at a time, in order. */
function reader<T>(stream: ClientReadableStream<T>) {
  const queued: T[] = [];
  const waiting: ((v: T | "end") => void)[] = [];
  let ended = false;
  const push = (v: T | "end"): void => {
    const w = waiting.shift();
    if (w) w(v);
    else if (v !== "end") queued.push(v);
  };
  stream.on("data", (m: T) => push(m));
  stream.on("end", () => {
    ended = true;
    push("end");
  });
  stream.on("error", () => undefined);
  return {
    next(): Promise<T | "end"> {
      const v = queued.shift();
      if (v !== undefined) return Promise.resolve(v);
      if (ended) return Promise.resolve("end");
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("grpc.health.v1.Health over loopback", () => {
  const health = new HealthStatus();
  const server = new Server();
  let client: InstanceType<typeof HealthClient>;

  beforeAll(async () => {
    const { definition, implementation } = healthService(health);
    server.addService(definition, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  const check = (service: string) =>
    new Promise<grpcHealth.HealthCheckResponse>((resolve, reject) =>
      client.check({ service }, (err, res) => (err ? reject(err) : resolve(res))),
    );

  it("Check answers the overall status, NOT_SERVING until the proxy is ready", async () => {
    expect(await check("")).toEqual({ status: ServingStatus.NOT_SERVING });
    health.setServing("", true);
    expect(await check("")).toEqual({ status: ServingStatus.SERVING });
  });

  it("Check answers per service, and NOT_FOUND for an unknown one", async () => {
    health.setServing("shop.Cart", true);
    expect(await check("shop.Cart")).toEqual({ status: ServingStatus.SERVING });
    const err = await check("shop.Nope").then(
      () => undefined,
      (e: unknown) => e as ServiceError,
    );
    expect(err?.code).toBe(status.NOT_FOUND);
  });

  it("List answers every known service", async () => {
    const res = await new Promise<grpcHealth.HealthListResponse>((resolve, reject) =>
      client.list({}, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(res.statuses).toEqual({
      "": { status: ServingStatus.SERVING },
      "shop.Cart": { status: ServingStatus.SERVING },
    });
  });

  it("Watch sends the current status, then each change, and SERVICE_UNKNOWN for unknown services", async () => {
    const stream = reader(client.watch({ service: "shop.Orders" }));
    expect(await stream.next()).toEqual({ status: ServingStatus.SERVICE_UNKNOWN });
    health.setServing("shop.Orders", true);
    expect(await stream.next()).toEqual({ status: ServingStatus.SERVING });
    // Neither a repeated status nor another service's change reaches this watcher.
    health.setServing("shop.Orders", true);
    health.setServing("shop.Cart", false);
    health.setServing("shop.Orders", false);
    expect(await stream.next()).toEqual({ status: ServingStatus.NOT_SERVING });
    health.remove("shop.Orders");
    expect(await stream.next()).toEqual({ status: ServingStatus.SERVICE_UNKNOWN });
    health.endWatches();
    expect(await stream.next()).toBe("end");
  });

  it("shutdown turns everything NOT_SERVING, tells watchers, and ignores later updates", async () => {
    const stream = reader(client.watch({ service: "" }));
    expect(await stream.next()).toEqual({ status: ServingStatus.SERVING });
    health.shutdown();
    expect(await stream.next()).toEqual({ status: ServingStatus.NOT_SERVING });
    health.setServing("", true);
    expect(await check("")).toEqual({ status: ServingStatus.NOT_SERVING });
    expect(health.isServing()).toBe(false);
    health.endWatches();
    expect(await stream.next()).toBe("end");
  });
});

describe("HealthStatus", () => {
  it("starts with the given overall status and only notifies changes", () => {
    const health = new HealthStatus(ServingStatus.SERVING);
    const seen: [string, ServingStatus][] = [];
    const unsubscribe = health.subscribe((service, s) => seen.push([service, s]));
    health.setServing("", true);
    health.set("a", ServingStatus.NOT_SERVING);
    health.remove("missing");
    unsubscribe();
    health.setServing("a", true);
    expect(seen).toEqual([["a", ServingStatus.NOT_SERVING]]);
    expect([...health.entries()]).toEqual([
      ["", ServingStatus.SERVING],
      ["a", ServingStatus.SERVING],
    ]);
  });
});
