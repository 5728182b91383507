import { ValueEntity } from "@cloudstate/node-support";
import { tckModelValueEntity as model } from "@cloudstate/protocol";

const { Persisted, Response } = model;

/**
 * ValueEntityTckModel exactly as proto/cloudstate/tck/model/valueentity.proto
 * describes it: the state is a `Persisted` string; `Process` runs the
 * request's actions in order.
 */
export const valueEntityTckModel = new ValueEntity({
  service: model.ValueEntityTckModelDefinition,
  persistenceId: "value-entity-tck-model",
  stateType: Persisted,
  initialState: () => Persisted.create(),
  commands: {
    process: (request, ctx) => {
      let forward: ReturnType<typeof ctx.forward> | undefined;
      for (const { action } of request.actions) {
        switch (action?.$case) {
          case "update":
            ctx.updateState(Persisted.create({ value: action.value.value }));
            break;
          case "delete":
            ctx.deleteState();
            break;
          case "forward":
            forward = ctx.forward(model.ValueEntityTwoDefinition, "call", model.Request.create({ id: action.value.id }));
            break;
          case "effect":
            ctx.effect(model.ValueEntityTwoDefinition, "call", model.Request.create({ id: action.value.id }), {
              synchronous: action.value.synchronous,
            });
            break;
          case "fail":
            return ctx.fail(action.value.message);
          case undefined:
            break;
        }
      }
      return forward ?? Response.create({ message: ctx.state.value });
    },
  },
});

/** Target of the model's forwards and side effects. */
export const valueEntityTwo = new ValueEntity({
  service: model.ValueEntityTwoDefinition,
  persistenceId: "value-entity-tck-model-two",
  stateType: Persisted,
  initialState: () => Persisted.create(),
  commands: { call: () => Response.create() },
});

/** Checks that the library reports its configuration: persistence id and a 100 ms passivation timeout. */
export const valueEntityConfigured = new ValueEntity({
  service: model.ValueEntityConfiguredDefinition,
  persistenceId: "value-entity-configured",
  passivationTimeoutMs: 100,
  stateType: Persisted,
  initialState: () => Persisted.create(),
  commands: { call: () => Response.create() },
});
