import { EventSourcedEntity, on } from "@cloudstate/node-support";
import { tckModelEventSourced as model } from "@cloudstate/protocol";

const { Persisted, Response } = model;

/** The contract's snapshot interval (proto/cloudstate/tck/model/eventsourced.proto). */
export const DEFAULT_SNAPSHOT_EVERY = 5;

/**
 * The snapshot interval: TCK_MODEL_SNAPSHOT_EVERY when set, else the
 * contract's 5. The TCK's proxy mode sets it (e.g. to 1, a snapshot with every
 * event) to exercise a proxy's snapshot handling harder; SDK-mode cases
 * expect the contract's value, so leave it unset there.
 */
export function snapshotEveryFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env["TCK_MODEL_SNAPSHOT_EVERY"]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_SNAPSHOT_EVERY;
  const value = Number(raw);
  // 0 would turn snapshots off, which no TCK case expects: refuse it rather than quietly test less.
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`TCK_MODEL_SNAPSHOT_EVERY must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * EventSourcedTckModel exactly as proto/cloudstate/tck/model/eventsourced.proto
 * describes it: the state is a string, each `Persisted` event appends to it,
 * and `Process` runs the request's actions in order. A snapshot goes with
 * every 5th event, or every TCK_MODEL_SNAPSHOT_EVERY-th when that variable is
 * set (see snapshotEveryFromEnv).
 */
export const eventSourcedTckModel = new EventSourcedEntity({
  service: model.EventSourcedTckModelDefinition,
  persistenceId: "event-sourced-tck-model",
  snapshotEvery: snapshotEveryFromEnv(),
  initialState: () => "",
  events: [on(Persisted, (event, state: string) => state + event.value)],
  snapshot: {
    type: Persisted,
    toSnapshot: (state: string) => Persisted.create({ value: state }),
    fromSnapshot: (snapshot: model.Persisted) => snapshot.value,
  },
  commands: {
    process: (request, ctx) => {
      let forward: ReturnType<typeof ctx.forward> | undefined;
      for (const { action } of request.actions) {
        switch (action?.$case) {
          case "emit":
            ctx.emit(Persisted, Persisted.create({ value: action.value.value }));
            break;
          case "forward":
            forward = ctx.forward(model.EventSourcedTwoDefinition, "call", model.Request.create({ id: action.value.id }));
            break;
          case "effect":
            ctx.effect(model.EventSourcedTwoDefinition, "call", model.Request.create({ id: action.value.id }), {
              synchronous: action.value.synchronous,
            });
            break;
          case "fail":
            return ctx.fail(action.value.message);
          case undefined:
            break;
        }
      }
      return forward ?? Response.create({ message: ctx.state });
    },
  },
});

/** Target of the model's forwards and side effects. */
export const eventSourcedTwo = new EventSourcedEntity({
  service: model.EventSourcedTwoDefinition,
  persistenceId: "event-sourced-tck-model-two",
  initialState: () => "",
  events: [],
  commands: { call: () => Response.create() },
});

/** Checks that the library reports its configuration: persistence id and a 100 ms passivation timeout. */
export const eventSourcedConfigured = new EventSourcedEntity({
  service: model.EventSourcedConfiguredDefinition,
  persistenceId: "event-sourced-configured",
  passivationTimeoutMs: 100,
  initialState: () => "",
  events: [],
  commands: { call: () => Response.create() },
});
