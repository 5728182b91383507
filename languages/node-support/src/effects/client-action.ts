import type { cloudstate } from "@cloudstate/protocol";
import type { AnySupport } from "../any/any-support.js";
import type { Codec } from "../any/codec.js";
import type { Outcome } from "./outcome.js";

/**
 * The protocol form of a handler's outcome for a command (spec/effects.md).
 * A reply is packed with the method's response codec; no reply gives undefined.
 */
export function toClientAction<R>(
  outcome: Outcome<R>,
  commandId: bigint,
  responseCodec: Codec<R>,
  anySupport: AnySupport,
): cloudstate.ClientAction | undefined {
  switch (outcome.kind) {
    case "reply":
      return {
        action: {
          $case: "reply",
          value: { payload: anySupport.pack(responseCodec, outcome.message), metadata: outcome.metadata?.toProtocol() },
        },
      };
    case "forward":
      return {
        action: {
          $case: "forward",
          value: {
            serviceName: outcome.serviceName,
            commandName: outcome.commandName,
            payload: outcome.payload,
            metadata: outcome.metadata?.toProtocol(),
          },
        },
      };
    case "failure":
      return { action: { $case: "failure", value: { commandId, description: outcome.description, restart: outcome.restart } } };
    case "noReply":
      return undefined;
  }
}
