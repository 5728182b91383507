import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, type DescFile, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { contractsRegistry, grpcReflection, grpcReflectionAlpha } from "@cloudstate/protocol";
import { credentials, Server, ServerCredentials, status } from "@grpc/grpc-js";
import {
  HEALTH_SERVICE_NAME,
  REFLECTION_ALPHA_SERVICE_NAME,
  REFLECTION_SERVICE_NAME,
  ReflectionIndex,
  reflectionService,
  reflectionServiceAlpha,
} from "./reflection-service.js";

const CART_FILE = "example/shoppingcart/shoppingcart.proto";
const CART_SERVICE = "com.example.shoppingcart.ShoppingCart";
const CART_DEPENDENCIES = [
  "cloudstate/entity_key.proto",
  "google/api/annotations.proto",
  "google/api/http.proto",
  "google/protobuf/descriptor.proto",
  "google/protobuf/empty.proto",
];

/** A user function's descriptor set: the shopping cart with its imports, imports first. */
function userDescriptorSet(): Uint8Array {
  const ordered: DescFile[] = [];
  const visit = (file: DescFile): void => {
    if (ordered.includes(file)) return;
    file.dependencies.forEach(visit);
    ordered.push(file);
  };
  const cart = contractsRegistry().getFile(CART_FILE);
  if (cart === undefined) throw new Error(`${CART_FILE} missing from the contracts`);
  visit(cart);
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: ordered.map((f) => f.proto) }));
}

type Request = grpcReflection.ServerReflectionRequest;
type Response = grpcReflection.ServerReflectionResponse;
type Ask = (requests: Request["messageRequest"][]) => Promise<Response[]>;

const fileNames = (res: Response | undefined): string[] => {
  if (res?.messageResponse?.$case !== "fileDescriptorResponse") throw new Error(`not files: ${JSON.stringify(res)}`);
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
};

describe.each([
  ["v1", grpcReflection.ServerReflectionClient, reflectionService],
  ["v1alpha", grpcReflectionAlpha.ServerReflectionClient, reflectionServiceAlpha],
] as const)("grpc.reflection.%s over loopback", (_version, Client, makeService) => {
  const server = new Server();
  let client: InstanceType<typeof Client>;

  beforeAll(async () => {
    const { definition, implementation } = makeService(new ReflectionIndex(userDescriptorSet(), { services: [CART_SERVICE] }));
    server.addService(definition, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  /** Sends every request on one stream and collects the answers until the server ends it. */
  const ask: Ask = (requests) =>
    new Promise((resolve, reject) => {
      const call = client.serverReflectionInfo();
      const responses: Response[] = [];
      call.on("data", (r: Response) => responses.push(r));
      call.on("error", reject);
      call.on("end", () => resolve(responses));
      for (const messageRequest of requests) call.write({ host: "localhost", messageRequest });
      call.end();
    });

  it("lists the served services and the standard ones", async () => {
    const [res] = await ask([{ $case: "listServices", value: "" }]);
    expect(res?.messageResponse).toEqual({
      $case: "listServicesResponse",
      value: {
        service: [CART_SERVICE, HEALTH_SERVICE_NAME, REFLECTION_SERVICE_NAME, REFLECTION_ALPHA_SERVICE_NAME].map((name) => ({
          name,
        })),
      },
    });
    expect(res?.validHost).toBe("localhost");
    expect(res?.originalRequest).toEqual({ host: "localhost", messageRequest: { $case: "listServices", value: "" } });
  });

  it("answers a file by name with its transitive imports, the file first", async () => {
    const [res] = await ask([{ $case: "fileByFilename", value: CART_FILE }]);
    const names = fileNames(res);
    expect(names[0]).toBe(CART_FILE);
    expect([...names.slice(1)].sort()).toEqual(CART_DEPENDENCIES);
  });

  it.each([
    ["service", CART_SERVICE, CART_FILE],
    ["method", `${CART_SERVICE}.AddItem`, CART_FILE],
    ["message with leading dot", ".com.example.shoppingcart.AddLineItem", CART_FILE],
    ["field", "com.example.shoppingcart.AddLineItem.user_id", CART_FILE],
    ["extension", "cloudstate.entity_key", "cloudstate/entity_key.proto"],
    ["nested enum value", "google.protobuf.FieldDescriptorProto.TYPE_STRING", "google/protobuf/descriptor.proto"],
    ["health service", HEALTH_SERVICE_NAME, "grpc/health/v1/health.proto"],
    ["reflection message", "grpc.reflection.v1alpha.ErrorResponse", "grpc/reflection/v1alpha/reflection.proto"],
  ])("answers the file containing a %s", async (_kind, symbol, file) => {
    const [res] = await ask([{ $case: "fileContainingSymbol", value: symbol }]);
    expect(fileNames(res)[0]).toBe(file);
  });

  it("answers the file containing an extension, and the extension numbers of a type", async () => {
    const [byExtension, numbers] = await ask([
      { $case: "fileContainingExtension", value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 1080 } },
      { $case: "allExtensionNumbersOfType", value: "google.protobuf.FieldOptions" },
    ]);
    expect(fileNames(byExtension)).toEqual(["cloudstate/entity_key.proto", "google/protobuf/descriptor.proto"]);
    expect(numbers?.messageResponse).toEqual({
      $case: "allExtensionNumbersResponse",
      value: { baseTypeName: "google.protobuf.FieldOptions", extensionNumber: [1080] },
    });
  });

  it("answers errors in the stream, in request order, and keeps going", async () => {
    const responses = await ask([
      { $case: "fileByFilename", value: "nope.proto" },
      { $case: "fileContainingSymbol", value: "com.example.Nope" },
      { $case: "fileContainingExtension", value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 9 } },
      { $case: "allExtensionNumbersOfType", value: "no.Such" },
      undefined,
      { $case: "listServices", value: "*" },
    ]);
    expect(responses.map((r) => r.messageResponse?.$case === "errorResponse" && r.messageResponse.value.errorCode)).toEqual([
      status.NOT_FOUND,
      status.NOT_FOUND,
      status.NOT_FOUND,
      status.NOT_FOUND,
      status.INVALID_ARGUMENT,
      false,
    ]);
    expect(responses[1]?.originalRequest?.messageRequest).toEqual({ $case: "fileContainingSymbol", value: "com.example.Nope" });
  });
});

describe("ReflectionIndex", () => {
  it("lists every declared service when not told which are served", () => {
    const index = new ReflectionIndex(userDescriptorSet());
    expect(index.services).toEqual([CART_SERVICE, HEALTH_SERVICE_NAME, REFLECTION_SERVICE_NAME, REFLECTION_ALPHA_SERVICE_NAME]);
  });

  it("accepts files in any order and rejects a set with a missing import", () => {
    const set = fromBinary(FileDescriptorSetSchema, userDescriptorSet());
    const reversed = create(FileDescriptorSetSchema, { file: [...set.file].reverse() });
    expect(new ReflectionIndex(toBinary(FileDescriptorSetSchema, reversed)).fileByName(CART_FILE)).toHaveLength(6);
    const incomplete = create(FileDescriptorSetSchema, { file: set.file.filter((f) => f.name !== "google/api/http.proto") });
    expect(() => new ReflectionIndex(toBinary(FileDescriptorSetSchema, incomplete))).toThrow(
      "google/api/annotations.proto imports google/api/http.proto, which is not in the descriptor set",
    );
  });
});
