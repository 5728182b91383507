// End to end: the example's process (dist/main.js) behind the reference proxy,
// called as any gRPC client would call it. Needs `npx tsc --build` first.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { status, type ServiceError } from "@grpc/grpc-js";
import { fileURLToPath } from "node:url";
import { runBehindProxy, type RunningExample } from "../../test-support/behind-proxy.js";
import { ServiceClient } from "../../test-support/service-client.js";
import { ShoppingCartDefinition } from "./gen/example/shoppingcart/shoppingcart.js";

let example: RunningExample | undefined;
let client: ServiceClient<typeof ShoppingCartDefinition>;

beforeAll(async () => {
  example = await runBehindProxy(fileURLToPath(new URL("..", import.meta.url)));
  client = new ServiceClient(ShoppingCartDefinition, example.address);
}, 30_000);
afterAll(async () => {
  client.close();
  await example?.stop();
}, 30_000);

describe("the shopping cart behind the reference proxy", () => {
  it("adds, sums, removes and lists items; refuses bad commands with their message", async () => {
    await client.unary("addItem", { userId: "alice", productId: "apple", name: "Apple", quantity: 2 });
    await client.unary("addItem", { userId: "alice", productId: "pear", name: "Pear", quantity: 1 });
    await client.unary("addItem", { userId: "alice", productId: "apple", name: "Apple", quantity: 3 });
    await client.unary("addItem", { userId: "bob", productId: "plum", name: "Plum", quantity: 1 });
    await client.unary("removeItem", { userId: "alice", productId: "pear" });
    expect(await client.unary("getCart", { userId: "alice" })).toEqual({ items: [{ productId: "apple", name: "Apple", quantity: 5 }] });
    expect(await client.unary("getCart", { userId: "bob" })).toEqual({ items: [{ productId: "plum", name: "Plum", quantity: 1 }] });

    const refused = (await client.unary("addItem", { userId: "alice", productId: "apple", name: "Apple", quantity: 0 }).catch((e: unknown) => e)) as ServiceError;
    expect(refused.code).toBe(status.UNKNOWN);
    expect(refused.details).toBe("Cannot add 0 of item apple: the quantity must be positive.");
    const absent = (await client.unary("removeItem", { userId: "alice", productId: "kiwi" }).catch((e: unknown) => e)) as ServiceError;
    expect(absent.details).toBe("Cannot remove item kiwi: it is not in the cart.");
    expect(await client.unary("getCart", { userId: "alice" })).toEqual({ items: [{ productId: "apple", name: "Apple", quantity: 5 }] });
  }, 20_000);
});
