import { eventsourced } from "@cloudstate/protocol";
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { AnySupport } from "../any/any-support.js";
import type { Logger } from "../logger.js";
import { EntityStream, ProtocolViolation, type StreamCodec } from "../server/entity-stream.js";
import { rawMethod } from "../server/raw-method.js";
import type { EventSourcedEntity } from "./event-sourced-entity.js";
import { EventSourcedEntityHandler } from "./event-sourced-handler.js";

type In = eventsourced.EventSourcedStreamIn;
type Out = eventsourced.EventSourcedStreamOut;

const codec: StreamCodec<In, Out> = {
  decode: (bytes) => eventsourced.EventSourcedStreamIn.decode(bytes),
  encode: (message) => eventsourced.EventSourcedStreamOut.encode(message).finish(),
  failure: (commandId, description, restart) => ({ message: { $case: "failure", value: { commandId, description, restart } } }),
};

export const eventSourcedServiceDefinition = {
  handle: rawMethod("/cloudstate.eventsourced.EventSourced/handle", true, true),
};

/** The `cloudstate.eventsourced.EventSourced` gRPC service over the given entities. */
export function eventSourcedService(entities: readonly EventSourcedEntity[], logger: Logger): UntypedServiceImplementation {
  const byService = new Map(entities.map((e) => [e.serviceName, { entity: e, anySupport: anySupportFor(e) }]));
  return {
    handle(call: ServerDuplexStream<Buffer, Buffer>) {
      let handler: EventSourcedEntityHandler<unknown> | undefined;
      let described = "(before init)";
      const stream = new EntityStream(call, codec, logger, () => described);
      stream.run(async (message) => {
        const kind = message.message;
        switch (kind?.$case) {
          case "init": {
            if (handler !== undefined) throw new ProtocolViolation("second init on the stream");
            const registered = byService.get(kind.value.serviceName);
            if (registered === undefined) throw new ProtocolViolation(`no event-sourced entity serves ${kind.value.serviceName}`);
            described = `${kind.value.serviceName}/${kind.value.entityId}`;
            handler = new EventSourcedEntityHandler(
              registered.entity as EventSourcedEntity<never>,
              registered.anySupport,
              logger,
              kind.value.entityId,
              kind.value.snapshot,
            );
            return;
          }
          case "event":
            if (handler === undefined) throw new ProtocolViolation("event before init");
            handler.applyEvent(kind.value);
            return;
          case "command":
            if (handler === undefined) throw new ProtocolViolation(`command ${kind.value.id} before init`);
            stream.send(await handler.handleCommand(kind.value));
            return;
          case undefined:
            throw new ProtocolViolation("message with no known kind (empty or unknown oneof case)");
        }
      });
    },
  };
}

function anySupportFor(entity: EventSourcedEntity): AnySupport {
  const types = [...entity.options.events.map((h) => h.codec), ...(entity.options.types ?? [])];
  if (entity.options.snapshot) types.push(entity.options.snapshot.type);
  return new AnySupport(types);
}
