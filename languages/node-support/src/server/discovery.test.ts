import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cloudstate, contractsDescriptorSetBytes, EntityType, tckModelValueEntity as model } from "@cloudstate/protocol";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { createLogger } from "../logger.js";
import { ValueEntity } from "../valueentity/value-entity.js";
import { CloudstateServer } from "./cloudstate-server.js";
import { isCompatible } from "./protocol-version.js";

describe("protocol version negotiation (spec/discovery.md)", () => {
  const cases: [string, { major: number; minor: number }, boolean][] = [
    ["same version", { major: 0, minor: 2 }, true],
    ["newer proxy minor", { major: 0, minor: 3 }, true],
    ["older proxy minor", { major: 0, minor: 1 }, false],
    ["other major", { major: 1, minor: 2 }, false],
    ["unreported (0.0): no leniency towards a proxy (DISC-3, DISC-21)", { major: 0, minor: 0 }, false],
  ];
  it.each(cases)("%s", (_name, proxy, expected) => {
    expect(isCompatible(proxy, { major: 0, minor: 2 })).toBe(expected);
  });
});

describe("EntityDiscovery over gRPC", () => {
  let server: CloudstateServer;
  let client: InstanceType<typeof cloudstate.EntityDiscoveryClient>;

  beforeAll(async () => {
    server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), serviceName: "disc", serviceVersion: "9", logger: createLogger("t", "error") }).add(
      new ValueEntity({
        service: model.ValueEntityConfiguredDefinition,
        persistenceId: "configured",
        passivationTimeoutMs: 100,
        stateType: model.Persisted,
        initialState: () => model.Persisted.create(),
        commands: {},
      }),
    );
    const { port } = await server.start({ host: "127.0.0.1", port: 0 });
    client = new cloudstate.EntityDiscoveryClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(100);
  });

  const proxyInfo = (major: number, minor: number): cloudstate.ProxyInfo => ({
    protocolMajorVersion: major,
    protocolMinorVersion: minor,
    proxyName: "test-proxy",
    proxyVersion: "1",
    supportedEntityTypes: [EntityType.ValueEntity],
  });
  const discover = (info: cloudstate.ProxyInfo) =>
    new Promise<cloudstate.EntitySpec>((resolve, reject) => client.discover(info, (e: ServiceError | null, spec?: cloudstate.EntitySpec) => (e ? reject(e) : resolve(spec!))));

  it("describes the hosted entities, the library and its protocol version", async () => {
    const spec = await discover(proxyInfo(0, 2));
    expect(spec.entities).toEqual([
      {
        entityType: EntityType.ValueEntity,
        serviceName: "cloudstate.tck.model.valueentity.ValueEntityConfigured",
        persistenceId: "configured",
        passivationStrategy: { strategy: { $case: "timeout", value: { timeout: 100n } } },
      },
    ]);
    expect(spec.serviceInfo).toMatchObject({
      serviceName: "disc",
      serviceVersion: "9",
      supportLibraryName: "@cloudstate/node-support",
      protocolMajorVersion: 0,
      protocolMinorVersion: 2,
    });
    expect(Buffer.from(spec.proto).equals(Buffer.from(contractsDescriptorSetBytes()))).toBe(true);
  });

  it("is idempotent", async () => {
    expect(await discover(proxyInfo(0, 2))).toEqual(await discover(proxyInfo(0, 2)));
  });

  it("refuses an incompatible proxy with FAILED_PRECONDITION naming both versions", async () => {
    const error = (await discover(proxyInfo(1, 0)).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(9);
    expect(error.details).toContain("1.0");
    expect(error.details).toContain("0.2");
  });

  it("accepts error reports", async () => {
    await new Promise<void>((resolve, reject) => client.reportError({ message: "you did something wrong" }, (e: ServiceError | null) => (e ? reject(e) : resolve())));
  });
});

describe("CloudstateServer start-up checks", () => {
  it("refuses a descriptor set that lacks a hosted service", async () => {
    const server = new CloudstateServer({ descriptorSet: new Uint8Array(), logger: createLogger("t", "error") }).add(
      new ValueEntity({ service: model.ValueEntityTwoDefinition, persistenceId: "x", stateType: model.Persisted, initialState: () => model.Persisted.create(), commands: {} }),
    );
    await expect(server.start({ port: 0 })).rejects.toThrow("no service cloudstate.tck.model.valueentity.ValueEntityTwo");
  });
});
