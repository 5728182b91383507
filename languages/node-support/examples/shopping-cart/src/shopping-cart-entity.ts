// The shopping cart as an event-sourced entity: commands check the business
// rules and emit events; the state is only ever changed by applying events.
// #region events
import { EventSourcedEntity, on } from "@cloudstate/node-support";
import { Empty } from "@cloudstate/protocol";
import * as domain from "./gen/example/shoppingcart/persistence/domain.js";
import * as api from "./gen/example/shoppingcart/shoppingcart.js";

/** ItemAdded: a new product goes last; a product already in the cart gets the quantities added up. */
function itemAdded(event: domain.ItemAdded, cart: domain.Cart): domain.Cart {
  const added = event.item;
  if (added === undefined) return cart;
  if (!cart.items.some((item) => item.productId === added.productId)) return { items: [...cart.items, added] };
  return {
    items: cart.items.map((item) => (item.productId === added.productId ? { ...item, quantity: item.quantity + added.quantity } : item)),
  };
}

/** ItemRemoved: the product leaves the cart, whatever its quantity. */
function itemRemoved(event: domain.ItemRemoved, cart: domain.Cart): domain.Cart {
  return { items: cart.items.filter((item) => item.productId !== event.productId) };
}
// #endregion events

// #region entity
/** One cart per user: the entity key is the `user_id` of every request. */
export const shoppingCart = new EventSourcedEntity({
  service: api.ShoppingCartDefinition,
  persistenceId: "shopping-cart",
  initialState: () => domain.Cart.create(),
  events: [on(domain.ItemAdded, itemAdded), on(domain.ItemRemoved, itemRemoved)],
  // The state is already the snapshot message, so it is stored as it is.
  snapshot: { type: domain.Cart, toSnapshot: (cart) => cart, fromSnapshot: (snapshot: domain.Cart) => snapshot },
  snapshotEvery: 5,
  commands: {
    addItem: (request, ctx) => {
      if (request.quantity <= 0) {
        return ctx.fail(`Cannot add ${request.quantity} of item ${request.productId}: the quantity must be positive.`);
      }
      ctx.emit(domain.ItemAdded, { item: { productId: request.productId, name: request.name, quantity: request.quantity } });
      return Empty.create();
    },
    removeItem: (request, ctx) => {
      if (!ctx.state.items.some((item) => item.productId === request.productId)) {
        return ctx.fail(`Cannot remove item ${request.productId}: it is not in the cart.`);
      }
      ctx.emit(domain.ItemRemoved, { productId: request.productId });
      return Empty.create();
    },
    getCart: (_request, ctx) => api.Cart.create({ items: ctx.state.items.map((item) => api.LineItem.create(item)) }),
  },
});
// #endregion entity
