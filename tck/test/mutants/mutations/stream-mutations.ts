// Mutants of the rules every entity stream shares (spec/commands.md,
// spec/protocol-errors.md): answer order, and how a stream is failed.
import { crdt, eventsourced, valueentity } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { ENTITY_STREAMS, type Mutation, PATHS, type Relay } from "../mutation.js";
import { decodeOrUndefined, encodeMessage } from "../protocol-codec.js";

/** The case of the message the TCK sent on an entity stream (undefined when it does not decode or has none), and a command's id. */
function inbound(method: string, bytes: Uint8Array): { kind: string | undefined; commandId?: bigint } {
  const m =
    method === PATHS.eventSourced
      ? decodeOrUndefined(eventsourced.EventSourcedStreamIn, bytes)?.message
      : method === PATHS.valueEntity
        ? decodeOrUndefined(valueentity.ValueEntityStreamIn, bytes)?.message
        : decodeOrUndefined(crdt.CrdtStreamIn, bytes)?.message;
  return m?.$case === "command" ? { kind: m.$case, commandId: m.value.id } : { kind: m?.$case };
}

/** The case of a message the model sent on an entity stream, and the command id it answers (0 for a stream failure). */
function outbound(method: string, bytes: Uint8Array): { kind: string | undefined; commandId: bigint } {
  const m =
    method === PATHS.eventSourced
      ? decodeOrUndefined(eventsourced.EventSourcedStreamOut, bytes)?.message
      : method === PATHS.valueEntity
        ? decodeOrUndefined(valueentity.ValueEntityStreamOut, bytes)?.message
        : decodeOrUndefined(crdt.CrdtStreamOut, bytes)?.message;
  return { kind: m?.$case, commandId: m?.value.commandId ?? -1n };
}

/** The stream failure (command id 0) in `bytes` re-encoded with `commandId`, or undefined when `bytes` is not one. */
function streamFailureWithId(method: string, bytes: Uint8Array, commandId: bigint): Uint8Array | undefined {
  if (method === PATHS.eventSourced) {
    const m = decodeOrUndefined(eventsourced.EventSourcedStreamOut, bytes)?.message;
    if (m?.$case !== "failure" || m.value.commandId !== 0n) return undefined;
    return encodeMessage(eventsourced.EventSourcedStreamOut, { message: { $case: "failure", value: { ...m.value, commandId } } });
  }
  if (method === PATHS.valueEntity) {
    const m = decodeOrUndefined(valueentity.ValueEntityStreamOut, bytes)?.message;
    if (m?.$case !== "failure" || m.value.commandId !== 0n) return undefined;
    return encodeMessage(valueentity.ValueEntityStreamOut, { message: { $case: "failure", value: { ...m.value, commandId } } });
  }
  const m = decodeOrUndefined(crdt.CrdtStreamOut, bytes)?.message;
  if (m?.$case !== "failure" || m.value.commandId !== 0n) return undefined;
  return encodeMessage(crdt.CrdtStreamOut, { message: { $case: "failure", value: { ...m.value, commandId } } });
}

/**
 * Swaps pipelined replies: a reply is held back while the TCK has another
 * command in flight on the stream, and sent right after that command's reply.
 * Anything else the model sends (a stream failure) or the end of the stream
 * first lets the held reply through.
 */
function swapPipelinedReplies(method: string): ReturnType<Mutation["mutate"]> {
  if (method !== PATHS.eventSourced && method !== PATHS.valueEntity) return undefined;
  const inFlight = new Set<bigint>();
  let held: Uint8Array | undefined;
  const flush = (relay: Relay) => {
    if (held !== undefined) relay.toTck(held);
    held = undefined;
  };
  return {
    fromTck: (bytes, relay) => {
      const { kind, commandId } = inbound(method, bytes);
      if (kind === "command" && commandId !== undefined) inFlight.add(commandId);
      relay.toModel(bytes);
    },
    fromModel: (bytes, relay) => {
      const { kind, commandId } = outbound(method, bytes);
      if (kind !== "reply") {
        flush(relay);
        relay.toTck(bytes);
        return;
      }
      inFlight.delete(commandId);
      if (held === undefined && inFlight.size > 0) {
        held = bytes;
        return;
      }
      relay.toTck(bytes);
      flush(relay);
    },
    modelEnded: (end, relay) => {
      flush(relay);
      relay.end(end);
    },
  };
}

export const streamMutations: readonly Mutation[] = [
  {
    name: "entity-replies-out-of-order",
    rule: "CMD-11",
    breaks: "on event-sourced and value entity streams, the reply to a pipelined command is sent before the reply to the command before it",
    run: "*/Command/pipelined-*",
    mustFail: ["EventSourced/Command/pipelined-commands-are-answered-in-order", "ValueEntity/Command/pipelined-commands-are-answered-in-order"],
    mutate: swapPipelinedReplies,
  },
  {
    name: "failed-stream-ends-ok",
    rule: "ERR-27",
    breaks: "an entity stream the model failed (Failure with command id 0) ends with status OK instead of an error status",
    run: "*/Malformed/*",
    mustFail: ["EventSourced/Malformed/second-init-fails-the-stream", "ValueEntity/Malformed/second-init-fails-the-stream", "Crdt/Malformed/second-init-fails-the-stream"],
    mutate: (method) =>
      ENTITY_STREAMS.includes(method)
        ? { modelEnded: (end, relay) => relay.end(end.code === status.OK ? end : { code: status.OK, details: "", metadata: end.metadata }) }
        : undefined,
  },
  {
    name: "non-init-first-message-accepted",
    rule: "ERR-31",
    breaks: "an entity stream whose first message is not init is kept open: the model's stream failure and error status are swallowed",
    run: "*/Malformed/*before-init*",
    mustFail: ["*/Malformed/command-before-init-fails-the-stream", "EventSourced/Malformed/event-before-init-fails-the-stream", "Crdt/Malformed/delta-before-init-fails-the-stream"],
    mutate: (method) => {
      if (!ENTITY_STREAMS.includes(method)) return undefined;
      let first = true;
      let accepted = false;
      return {
        fromTck: (bytes, relay) => {
          if (first) {
            const { kind } = inbound(method, bytes);
            accepted = kind !== undefined && kind !== "init";
            first = false;
          }
          relay.toModel(bytes);
        },
        fromModel: (bytes, relay) => {
          const { kind, commandId } = outbound(method, bytes);
          if (!(accepted && kind === "failure" && commandId === 0n)) relay.toTck(bytes);
        },
        // Accepted: the TCK's stream stays open (until it cancels), as if the message had been taken.
        modelEnded: (end, relay) => {
          if (!accepted) relay.end(end);
        },
      };
    },
  },
  {
    name: "stream-failure-names-a-command",
    rule: "ERR-26",
    breaks: "a stream failure carries the id of the last command received (or 1) instead of command id 0",
    run: "*/Malformed/*",
    mustFail: ["EventSourced/Malformed/second-init-fails-the-stream", "ValueEntity/Malformed/second-init-fails-the-stream", "Crdt/Malformed/second-init-fails-the-stream"],
    mutate: (method) => {
      if (!ENTITY_STREAMS.includes(method)) return undefined;
      let lastCommand = 1n;
      return {
        fromTck: (bytes, relay) => {
          const { kind, commandId } = inbound(method, bytes);
          if (kind === "command" && commandId !== undefined) lastCommand = commandId;
          relay.toModel(bytes);
        },
        fromModel: (bytes, relay) => relay.toTck(streamFailureWithId(method, bytes, lastCommand) ?? bytes),
      };
    },
  },
  {
    name: "stream-failure-sent-twice",
    rule: "ERR-28",
    breaks: "a stream failure is sent twice before the stream ends",
    run: "*/Malformed/*",
    mustFail: ["EventSourced/Malformed/second-init-fails-the-stream", "ValueEntity/Malformed/second-init-fails-the-stream", "Crdt/Malformed/second-init-fails-the-stream"],
    mutate: (method) =>
      ENTITY_STREAMS.includes(method)
        ? {
            fromModel: (bytes, relay) => {
              const { kind, commandId } = outbound(method, bytes);
              relay.toTck(bytes);
              if (kind === "failure" && commandId === 0n) relay.toTck(bytes);
            },
          }
        : undefined,
  },
];
