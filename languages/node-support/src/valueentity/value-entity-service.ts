import { valueentity } from "@cloudstate/protocol";
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { AnySupport } from "../any/any-support.js";
import type { Logger } from "../logger.js";
import { EntityStream, ProtocolViolation, type StreamCodec } from "../server/entity-stream.js";
import { rawMethod } from "../server/raw-method.js";
import type { ValueEntity } from "./value-entity.js";
import { ValueEntityHandler } from "./value-entity-handler.js";

type In = valueentity.ValueEntityStreamIn;
type Out = valueentity.ValueEntityStreamOut;

const codec: StreamCodec<In, Out> = {
  decode: (bytes) => valueentity.ValueEntityStreamIn.decode(bytes),
  encode: (message) => valueentity.ValueEntityStreamOut.encode(message).finish(),
  failure: (commandId, description, restart) => ({ message: { $case: "failure", value: { commandId, description, restart } } }),
};

export const valueEntityServiceDefinition = {
  handle: rawMethod("/cloudstate.valueentity.ValueEntity/handle", true, true),
};

/** The `cloudstate.valueentity.ValueEntity` gRPC service over the given entities. */
export function valueEntityService(entities: readonly ValueEntity[], logger: Logger): UntypedServiceImplementation {
  const byService = new Map(entities.map((e) => [e.serviceName, { entity: e, anySupport: new AnySupport([e.options.stateType, ...(e.options.types ?? [])]) }]));
  return {
    handle(call: ServerDuplexStream<Buffer, Buffer>) {
      let handler: ValueEntityHandler<unknown> | undefined;
      let described = "(before init)";
      const stream = new EntityStream(call, codec, logger, () => described);
      stream.run(async (message) => {
        const kind = message.message;
        switch (kind?.$case) {
          case "init": {
            if (handler !== undefined) throw new ProtocolViolation("second init on the stream");
            const registered = byService.get(kind.value.serviceName);
            if (registered === undefined) throw new ProtocolViolation(`no value entity serves ${kind.value.serviceName}`);
            described = `${kind.value.serviceName}/${kind.value.entityId}`;
            handler = new ValueEntityHandler(registered.entity as ValueEntity<never>, registered.anySupport, logger, kind.value.entityId, kind.value.state);
            return;
          }
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
