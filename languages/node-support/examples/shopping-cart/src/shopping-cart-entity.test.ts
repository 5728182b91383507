// The cart's business rules, checked at the protocol level: the test plays the
// proxy on a real gRPC stream to the example's server, as the reference proxy would.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AnySupport, createLogger, type MessageType } from "@cloudstate/node-support";
import { type Any, cloudstate, EntityType, eventsourced } from "@cloudstate/protocol";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { openStream } from "../../../test/support/stream-probe.js";
import * as domain from "./gen/example/shoppingcart/persistence/domain.js";
import * as api from "./gen/example/shoppingcart/shoppingcart.js";
import { createServer } from "./server.js";

type In = eventsourced.EventSourcedStreamIn;
type Out = eventsourced.EventSourcedStreamOut;
type Reply = eventsourced.EventSourcedReply;

const SERVICE = "com.example.shoppingcart.ShoppingCart";
const anySupport = new AnySupport([domain.ItemAdded, domain.ItemRemoved, domain.Cart, api.Cart]);
const server = createServer(createLogger("shopping-cart-test", "error"));
let address: string;

beforeAll(async () => {
  address = `127.0.0.1:${(await server.start({ host: "127.0.0.1", port: 0 })).port}`;
});
afterAll(() => server.shutdown(100));

/** A stream for one cart, as the proxy opens it: init (with an optional snapshot), then replayed events. */
function openCart(userId: string, snapshot?: eventsourced.EventSourcedSnapshot, events: Any[] = []) {
  const { probe, close } = openStream<In, Out>(
    address,
    "/cloudstate.eventsourced.EventSourced/handle",
    (m) => eventsourced.EventSourcedStreamIn.encode(m).finish(),
    (b) => eventsourced.EventSourcedStreamOut.decode(b),
  );
  probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId: userId, snapshot } } });
  events.forEach((payload, i) => probe.send({ message: { $case: "event", value: { sequence: BigInt(i + 1), payload } } }));
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
    getCart: async (): Promise<api.LineItem[]> => {
      const action = (await call("GetCart", api.GetShoppingCart, { userId })).clientAction?.action;
      if (action?.$case !== "reply" || action.value.payload === undefined) throw new Error(`GetCart did not reply: ${JSON.stringify(action, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
      return api.Cart.decode(action.value.payload.value).items;
    },
  };
}

const events = (reply: Reply) => reply.events.map((e) => anySupport.unpack(e));
const failure = (reply: Reply) => (reply.clientAction?.action?.$case === "failure" ? reply.clientAction.action.value : undefined);
const item = (productId: string, name: string, quantity: number) => ({ productId, name, quantity });
const added = (productId: string, name: string, quantity: number): Any => anySupport.pack(domain.ItemAdded, { item: item(productId, name, quantity) });

describe("the event-sourced shopping cart (proxy's view)", () => {
  it("is discovered as an event-sourced entity with its persistence id", async () => {
    const client = new cloudstate.EntityDiscoveryClient(address, credentials.createInsecure());
    const spec = await new Promise<cloudstate.EntitySpec>((resolve, reject) =>
      client.discover(
        { protocolMajorVersion: 0, protocolMinorVersion: 2, proxyName: "test", proxyVersion: "0", supportedEntityTypes: [] },
        (error: ServiceError | null, result?: cloudstate.EntitySpec) => (error ? reject(error) : resolve(result!)),
      ),
    );
    client.close();
    expect(spec.entities).toEqual([{ entityType: EntityType.EventSourced, serviceName: SERVICE, persistenceId: "shopping-cart", passivationStrategy: undefined }]);
  });

  it("AddItem emits ItemAdded and replies Empty", async () => {
    const cart = openCart("add");
    const reply = await cart.addItem("apple", "Apple", 2);
    expect(events(reply)).toEqual([{ typeName: domain.ItemAdded.$type, typeUrl: `type.googleapis.com/${domain.ItemAdded.$type}`, value: { item: item("apple", "Apple", 2) } }]);
    expect(reply.clientAction?.action?.$case).toBe("reply");
    expect(await cart.getCart()).toEqual([item("apple", "Apple", 2)]);
    cart.close();
  });

  it("adds up the quantities of the same product and keeps the order products were first added", async () => {
    const cart = openCart("sum");
    await cart.addItem("apple", "Apple", 2);
    await cart.addItem("pear", "Pear", 1);
    await cart.addItem("apple", "Apple", 3);
    expect(await cart.getCart()).toEqual([item("apple", "Apple", 5), item("pear", "Pear", 1)]);
    cart.close();
  });

  it.each([0, -1])("fails AddItem with quantity %i, with a clear message and no event", async (quantity) => {
    const cart = openCart(`non-positive${quantity}`);
    const reply = await cart.addItem("apple", "Apple", quantity);
    expect(reply.events).toEqual([]);
    expect(failure(reply)).toEqual({ commandId: 1n, restart: false, description: `Cannot add ${quantity} of item apple: the quantity must be positive.` });
    expect(await cart.getCart()).toEqual([]);
    cart.close();
  });

  it("RemoveItem emits ItemRemoved and the product leaves the cart", async () => {
    const cart = openCart("remove");
    await cart.addItem("apple", "Apple", 2);
    await cart.addItem("pear", "Pear", 1);
    const reply = await cart.removeItem("apple");
    expect(events(reply).map((e) => e.value)).toEqual([{ productId: "apple" }]);
    expect(await cart.getCart()).toEqual([item("pear", "Pear", 1)]);
    cart.close();
  });

  it("fails RemoveItem of a product not in the cart", async () => {
    const cart = openCart("remove-absent");
    await cart.addItem("apple", "Apple", 1);
    const reply = await cart.removeItem("pear");
    expect(reply.events).toEqual([]);
    expect(failure(reply)).toMatchObject({ restart: false, description: "Cannot remove item pear: it is not in the cart." });
    expect(await cart.getCart()).toEqual([item("apple", "Apple", 1)]);
    cart.close();
  });

  it("sends a snapshot of the whole cart with the reply whose events reach a multiple of 5", async () => {
    const cart = openCart("snapshots");
    const snapshots: (domain.Cart | undefined)[] = [];
    for (let i = 1; i <= 6; i++) {
      const reply = await cart.addItem(`p${i}`, `Product ${i}`, 1);
      snapshots.push(reply.snapshot === undefined ? undefined : domain.Cart.decode(reply.snapshot.value));
    }
    const fifth = { items: [1, 2, 3, 4, 5].map((i) => item(`p${i}`, `Product ${i}`, 1)) };
    expect(snapshots).toEqual([undefined, undefined, undefined, undefined, fifth, undefined]);
    cart.close();
  });

  it("recovers from a snapshot and the events after it", async () => {
    const snapshot = { snapshotSequence: 5n, snapshot: anySupport.pack(domain.Cart, { items: [item("apple", "Apple", 1)] }) };
    const cart = openCart("recover", snapshot);
    expect(await cart.getCart()).toEqual([item("apple", "Apple", 1)]);
    cart.close();
    const replayed = openCart("replay", undefined, [added("apple", "Apple", 1), added("pear", "Pear", 2), anySupport.pack(domain.ItemRemoved, { productId: "apple" })]);
    expect(await replayed.getCart()).toEqual([item("pear", "Pear", 2)]);
    replayed.close();
  });
});
