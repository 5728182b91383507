// The cart's business rules, checked at the protocol level: the test plays the
// proxy on a real gRPC stream to the example's server, as the reference proxy would.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AnySupport, createLogger, type MessageType } from "@cloudstate/node-support";
import { valueentity } from "@cloudstate/protocol";
import { openStream } from "../../../test/support/stream-probe.js";
import * as domain from "./gen/example/valueentity/shoppingcart/persistence/domain.js";
import * as api from "./gen/example/valueentity/shoppingcart/shoppingcart.js";
import { createServer } from "./server.js";

type In = valueentity.ValueEntityStreamIn;
type Out = valueentity.ValueEntityStreamOut;
type Reply = valueentity.ValueEntityReply;

const SERVICE = "com.example.valueentity.shoppingcart.ShoppingCart";
const anySupport = new AnySupport([domain.Cart]);
const server = createServer(createLogger("value-shopping-cart-test", "error"));
let address: string;

beforeAll(async () => {
  address = `127.0.0.1:${(await server.start({ host: "127.0.0.1", port: 0 })).port}`;
});
afterAll(() => server.shutdown(100));

/** A stream for one cart, as the proxy opens it: init with the stored cart, if any. */
function openCart(userId: string, stored?: domain.Cart) {
  const { probe, close } = openStream<In, Out>(
    address,
    "/cloudstate.valueentity.ValueEntity/handle",
    (m) => valueentity.ValueEntityStreamIn.encode(m).finish(),
    (b) => valueentity.ValueEntityStreamOut.decode(b),
  );
  const state = stored === undefined ? undefined : { value: anySupport.pack(domain.Cart, stored) };
  probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId: userId, state } } });
  let nextId = 1n;
  /** Sends a command and returns the entity's reply to it. */
  const call = async <T>(name: string, type: MessageType<T>, request: T): Promise<Reply> => {
    const id = nextId++;
    probe.send({ message: { $case: "command", value: { entityId: userId, id, name, payload: anySupport.pack(type, request), streamed: false, metadata: undefined } } });
    const out = await probe.next();
    if (out.message?.$case !== "reply") throw new Error(`expected a reply, got ${out.message?.$case ?? "nothing"}`);
    expect(out.message.value.commandId).toBe(id);
    return out.message.value;
  };
  return {
    close,
    addItem: (productId: string, name: string, quantity: number) => call("AddItem", api.AddLineItem, { userId, productId, name, quantity }),
    removeItem: (productId: string) => call("RemoveItem", api.RemoveLineItem, { userId, productId }),
    removeCart: () => call("RemoveCart", api.RemoveShoppingCart, { userId }),
    getCart: async (): Promise<api.LineItem[]> => {
      const reply = await call("GetCart", api.GetShoppingCart, { userId });
      expect(reply.stateAction).toBeUndefined();
      const action = reply.clientAction?.action;
      if (action?.$case !== "reply" || action.value.payload === undefined) throw new Error(`GetCart did not reply: ${JSON.stringify(action, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
      return api.Cart.decode(action.value.payload.value).items;
    },
  };
}

/** The cart a reply asks the proxy to store; null when it asks to delete it, undefined when it changes nothing. */
function stored(reply: Reply): domain.Cart | null | undefined {
  const action = reply.stateAction?.action;
  if (action?.$case === "delete") return null;
  if (action?.$case !== "update" || action.value.value === undefined) return undefined;
  expect(action.value.value.typeUrl).toBe(`type.googleapis.com/${domain.Cart.$type}`);
  return domain.Cart.decode(action.value.value.value);
}
const failure = (reply: Reply) => (reply.clientAction?.action?.$case === "failure" ? reply.clientAction.action.value : undefined);
const item = (productId: string, name: string, quantity: number) => ({ productId, name, quantity });

describe("the value-entity shopping cart (proxy's view)", () => {
  it("AddItem stores the whole new cart, adding up quantities of the same product", async () => {
    const cart = openCart("add");
    expect(stored(await cart.addItem("apple", "Apple", 2))).toEqual({ items: [item("apple", "Apple", 2)] });
    expect(stored(await cart.addItem("pear", "Pear", 1))).toEqual({ items: [item("apple", "Apple", 2), item("pear", "Pear", 1)] });
    expect(stored(await cart.addItem("apple", "Apple", 3))).toEqual({ items: [item("apple", "Apple", 5), item("pear", "Pear", 1)] });
    expect(await cart.getCart()).toEqual([item("apple", "Apple", 5), item("pear", "Pear", 1)]);
    cart.close();
  });

  it.each([0, -3])("fails AddItem with quantity %i, with a clear message, storing nothing", async (quantity) => {
    const cart = openCart(`non-positive${quantity}`);
    const reply = await cart.addItem("apple", "Apple", quantity);
    expect(reply.stateAction).toBeUndefined();
    expect(failure(reply)).toEqual({ commandId: 1n, restart: false, description: `Cannot add ${quantity} of item apple: the quantity must be positive.` });
    cart.close();
  });

  it("RemoveItem stores the cart without the product; fails for a product not in the cart", async () => {
    const cart = openCart("remove", { items: [item("apple", "Apple", 2), item("pear", "Pear", 1)] });
    expect(stored(await cart.removeItem("apple"))).toEqual({ items: [item("pear", "Pear", 1)] });
    const refused = await cart.removeItem("apple");
    expect(refused.stateAction).toBeUndefined();
    expect(failure(refused)).toMatchObject({ restart: false, description: "Cannot remove item apple: it is not in the cart." });
    expect(await cart.getCart()).toEqual([item("pear", "Pear", 1)]);
    cart.close();
  });

  it("starts from the stored cart", async () => {
    const cart = openCart("stored", { items: [item("plum", "Plum", 4)] });
    expect(await cart.getCart()).toEqual([item("plum", "Plum", 4)]);
    cart.close();
  });

  it("RemoveCart deletes the stored cart; the cart then reads empty", async () => {
    const cart = openCart("delete", { items: [item("plum", "Plum", 4)] });
    expect(stored(await cart.removeCart())).toBeNull();
    expect(await cart.getCart()).toEqual([]);
    expect(stored(await cart.addItem("fig", "Fig", 1))).toEqual({ items: [item("fig", "Fig", 1)] });
    cart.close();
  });
});
