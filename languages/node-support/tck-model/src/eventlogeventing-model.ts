import { Action, type ActionContext, EventSourcedEntity, JSON_PREFIX, jsonCodec, on, type Outcome } from "@cloudstate/node-support";
import { type Any, Empty, tckModelEventLogEventing as model } from "@cloudstate/protocol";

const { EffectRequest, EventOne, EventTwo, Response } = model;

/** The JSON event of EventSourcedEntityTwo: `{"message": ...}` under `json.cloudstate.io/JsonEvent`. */
interface JsonEventBody {
  readonly message?: unknown;
}
const JsonEvent = jsonCodec<JsonEventBody>("JsonEvent");

/**
 * The id of the entity that emitted the event being handled: the CloudEvent
 * subject of the delivering call (spec/eventing.md §3, spec/metadata.md §6).
 */
function emitterId(ctx: ActionContext<model.Response>): string {
  return ctx.metadata.cloudEvent()?.subject ?? "";
}

/** One step of an event: a reply, or a forward to `Effect`, both carrying the emitter's id. */
function processStep(step: model.ProcessStep | undefined, ctx: ActionContext<model.Response>): Outcome<model.Response> {
  const id = emitterId(ctx);
  switch (step?.step?.$case) {
    case "reply":
      return ctx.reply(Response.create({ id, message: step.step.value.message }));
    case "forward":
      return ctx.forward(model.EventLogSubscriberModelDefinition, "effect", EffectRequest.create({ id, message: step.step.value.message }));
    case undefined:
      return ctx.fail("the event's step has neither a reply nor a forward");
  }
}

/** EventLogSubscriberModel as proto/cloudstate/tck/model/eventlogeventing.proto describes it. */
export const eventLogSubscriberModel = new Action({
  service: model.EventLogSubscriberModelDefinition,
  commands: {
    processEventOne: (event, ctx) => processStep(event.step, ctx),
    processEventTwo: (event, ctx) => {
      for (const step of event.step) ctx.send(processStep(step, ctx));
    },
    effect: (request) => Response.create({ id: request.id, message: request.message }),
    // The input type is google.protobuf.Any: the handler gets the event's own Any (ANY-24).
    processAnyEvent: (event: Any, ctx) => {
      if (!event.typeUrl.startsWith(JSON_PREFIX)) return ctx.fail(`expected a JSON event, got ${event.typeUrl || "no type"}`);
      const { message } = JsonEvent.decode(event.value);
      return Response.create({ id: emitterId(ctx), message: typeof message === "string" ? message : "" });
    },
  },
});

/** Emits the requested `EventOne` or `EventTwo`, packed as protobuf, under persistence id `eventlogeventing-one`. */
export const eventSourcedEntityOne = new EventSourcedEntity({
  service: model.EventSourcedEntityOneDefinition,
  persistenceId: "eventlogeventing-one",
  initialState: () => null,
  events: [on(EventOne, (_event, state: null) => state), on(EventTwo, (_event, state: null) => state)],
  commands: {
    emitEvent: (request, ctx) => {
      switch (request.event?.$case) {
        case "eventOne":
          ctx.emit(EventOne, request.event.value);
          break;
        case "eventTwo":
          ctx.emit(EventTwo, request.event.value);
          break;
        case undefined:
          break;
      }
      return Empty.create();
    },
  },
});

/** Emits `{"message": ...}` as a JSON event `json.cloudstate.io/JsonEvent` under persistence id `eventlogeventing-two`. */
export const eventSourcedEntityTwo = new EventSourcedEntity({
  service: model.EventSourcedEntityTwoDefinition,
  persistenceId: "eventlogeventing-two",
  initialState: () => null,
  events: [on(JsonEvent, (_event, state: null) => state)],
  commands: {
    emitJsonEvent: (request, ctx) => {
      ctx.emit(JsonEvent, { message: request.message });
      return Empty.create();
    },
  },
});
