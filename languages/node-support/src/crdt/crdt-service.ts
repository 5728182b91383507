import { crdt } from "@cloudstate/protocol";
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { AnySupport } from "../any/any-support.js";
import type { Logger } from "../logger.js";
import { EntityStream, ProtocolViolation, type StreamCodec } from "../server/entity-stream.js";
import { rawMethod } from "../server/raw-method.js";
import type { CrdtEntity } from "./crdt-entity.js";
import { CrdtEntityHandler } from "./crdt-handler.js";

type In = crdt.CrdtStreamIn;
type Out = crdt.CrdtStreamOut;

const codec: StreamCodec<In, Out> = {
  decode: (bytes) => crdt.CrdtStreamIn.decode(bytes),
  encode: (message) => crdt.CrdtStreamOut.encode(message).finish(),
  failure: (commandId, description, restart) => ({ message: { $case: "failure", value: { commandId, description, restart } } }),
};

export const crdtServiceDefinition = {
  handle: rawMethod("/cloudstate.crdt.Crdt/handle", true, true),
};

/** The `cloudstate.crdt.Crdt` gRPC service over the given entities. */
export function crdtService(entities: readonly CrdtEntity[], logger: Logger): UntypedServiceImplementation {
  const byService = new Map(entities.map((e) => [e.serviceName, { entity: e, anySupport: new AnySupport(e.options.types ?? []) }]));
  return {
    handle(call: ServerDuplexStream<Buffer, Buffer>) {
      let handler: CrdtEntityHandler | undefined;
      let described = "(before init)";
      const stream = new EntityStream(call, codec, logger, () => described);
      const initialized = (what: string): CrdtEntityHandler => {
        if (handler === undefined) throw new ProtocolViolation(`${what} before init`);
        return handler;
      };
      stream.run(async (message) => {
        const kind = message.message;
        switch (kind?.$case) {
          case "init": {
            if (handler !== undefined) throw new ProtocolViolation("second init on the stream");
            const registered = byService.get(kind.value.serviceName);
            if (registered === undefined) throw new ProtocolViolation(`no CRDT entity serves ${kind.value.serviceName}`);
            described = `${kind.value.serviceName}/${kind.value.entityId}`;
            handler = new CrdtEntityHandler(registered.entity, registered.anySupport, logger, kind.value.entityId, kind.value.state, (out) => stream.send(out));
            return;
          }
          case "state":
            initialized("state").replaceState(kind.value);
            return;
          case "changed":
            initialized("delta").applyDelta(kind.value);
            return;
          case "deleted":
            initialized("deleted").deleted();
            return;
          case "command":
            await initialized(`command ${kind.value.id}`).handleCommand(kind.value);
            return;
          case "streamCancelled":
            initialized("stream_cancelled").cancelled(kind.value.id);
            return;
          case undefined:
            throw new ProtocolViolation("message with no known kind (empty or unknown oneof case)");
        }
      });
    },
  };
}
