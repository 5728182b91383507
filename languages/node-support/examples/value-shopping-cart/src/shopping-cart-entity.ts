// The shopping cart as a value entity: each command reads the whole stored cart
// and, when it changes it, stores the whole new cart (no events, no journal).
// #region entity
import { ValueEntity } from "@cloudstate/node-support";
import { Empty } from "@cloudstate/protocol";
import * as domain from "./gen/example/valueentity/shoppingcart/persistence/domain.js";
import * as api from "./gen/example/valueentity/shoppingcart/shoppingcart.js";

/** One cart per user: the entity key is the `user_id` of every request. */
export const shoppingCart = new ValueEntity({
  service: api.ShoppingCartDefinition,
  persistenceId: "value-shopping-cart",
  stateType: domain.Cart,
  initialState: () => domain.Cart.create(),
  commands: {
    addItem: (request, ctx) => {
      if (request.quantity <= 0) {
        return ctx.fail(`Cannot add ${request.quantity} of item ${request.productId}: the quantity must be positive.`);
      }
      const items = ctx.state.items;
      const existing = items.find((item) => item.productId === request.productId);
      ctx.updateState({
        items:
          existing === undefined
            ? [...items, { productId: request.productId, name: request.name, quantity: request.quantity }]
            : items.map((item) => (item === existing ? { ...item, quantity: item.quantity + request.quantity } : item)),
      });
      return Empty.create();
    },
    removeItem: (request, ctx) => {
      const items = ctx.state.items;
      if (!items.some((item) => item.productId === request.productId)) {
        return ctx.fail(`Cannot remove item ${request.productId}: it is not in the cart.`);
      }
      ctx.updateState({ items: items.filter((item) => item.productId !== request.productId) });
      return Empty.create();
    },
    getCart: (_request, ctx) => api.Cart.create({ items: ctx.state.items.map((item) => api.LineItem.create(item)) }),
    removeCart: (_request, ctx) => {
      ctx.deleteState();
      return Empty.create();
    },
  },
});
// #endregion entity
