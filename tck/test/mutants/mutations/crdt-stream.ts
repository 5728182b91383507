// What the harness follows on a CRDT stream, for the CRDT mutants: each
// command (streamed or not, and its Request), whether the entity holds a
// value, and which streamed commands the model accepted and has not finished.
import { crdt, tckModelCrdt as crdtModel } from "@cloudstate/protocol";
import { type Mutation, PATHS } from "../mutation.js";
import { decodeOrUndefined, rewriteEach, unpackAny } from "../protocol-codec.js";

const REQUEST = "cloudstate.tck.model.crdt.Request";

export type CrdtOut = crdt.CrdtStreamOut;

/** One CRDT entity stream as seen by the harness. */
export class CrdtStream {
  /** Command.streamed of each command, by id. */
  readonly streamed = new Map<bigint, boolean>();
  /** The decoded Process requests, by command id. */
  readonly requests = new Map<bigint, crdtModel.Request>();
  /** Streamed commands the model accepted and has not finished, in acceptance order. */
  readonly open = new Set<bigint>();
  hasValue = false;

  /** Follows a message from the TCK; returns its case. */
  observeIn(bytes: Uint8Array): string | undefined {
    const m = decodeOrUndefined(crdt.CrdtStreamIn, bytes)?.message;
    switch (m?.$case) {
      case "init":
        this.hasValue = m.value.state !== undefined;
        break;
      case "state":
        this.hasValue = true;
        break;
      case "command": {
        this.streamed.set(m.value.id, m.value.streamed);
        const request = unpackAny(m.value.payload, REQUEST, crdtModel.Request);
        if (request !== undefined) this.requests.set(m.value.id, request);
        break;
      }
      default:
        break;
    }
    return m?.$case;
  }

  /** Follows a message of the model (as sent by the model, before any rewriting). */
  observeOut(out: CrdtOut): void {
    const m = out.message;
    switch (m?.$case) {
      case "reply":
        if (m.value.streamed) this.open.add(m.value.commandId);
        this.applyStateAction(m.value.stateAction);
        return;
      case "streamedMessage":
        if (m.value.endStream || m.value.clientAction?.action?.$case === "failure") this.open.delete(m.value.commandId);
        return;
      case "streamCancelledResponse":
        this.open.delete(m.value.commandId);
        this.applyStateAction(m.value.stateAction);
        return;
      case "failure":
        this.open.delete(m.value.commandId);
        return;
      case undefined:
        return;
    }
  }

  private applyStateAction(action: crdt.CrdtStateAction | undefined): void {
    if (action?.action?.$case === "create") this.hasValue = true;
    if (action?.action?.$case === "delete") this.hasValue = false;
  }
}

/** A streamed message ending a streamed command, with nothing for the caller. */
export function endStreamMessage(commandId: bigint): CrdtOut {
  return { message: { $case: "streamedMessage", value: { commandId, clientAction: undefined, sideEffects: [], endStream: true } } };
}

/** A mutate function that rewrites each message of a CRDT stream (several, or none, may come out of one). */
export function onCrdtMessages(rewrite: (out: CrdtOut, stream: CrdtStream) => readonly CrdtOut[]): Mutation["mutate"] {
  return (method) => {
    if (method !== PATHS.crdt) return undefined;
    const stream = new CrdtStream();
    const each = rewriteEach(crdt.CrdtStreamOut, (out) => {
      const result = rewrite(out, stream);
      stream.observeOut(out);
      return result;
    });
    return {
      fromTck: (bytes, relay) => {
        stream.observeIn(bytes);
        relay.toModel(bytes);
      },
      fromModel: (bytes, relay) => each(bytes, (b) => relay.toTck(b)),
    };
  };
}
