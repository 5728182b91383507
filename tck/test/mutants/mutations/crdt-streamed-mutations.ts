// Mutants of the CRDT streamed-command rules (spec/crdt.md section 6) and of
// deletion (section 7).
import { crdt } from "@cloudstate/protocol";
import { type Mutation, PATHS } from "../mutation.js";
import { encodeMessage, rewriteEach } from "../protocol-codec.js";
import { CrdtStream, endStreamMessage, onCrdtMessages } from "./crdt-stream.js";

export const crdtStreamedMutations: readonly Mutation[] = [
  {
    name: "crdt-streamed-reply-to-unary-command",
    rule: "CRDT-74",
    breaks: "the reply to a command whose Command.streamed is false sets streamed = true",
    run: "Crdt/GCounter/*",
    mustFail: ["Crdt/GCounter/first-update-creates-the-value", "Crdt/GCounter/update-sends-the-increment"],
    mutate: onCrdtMessages((out, stream) => {
      const m = out.message;
      if (m?.$case !== "reply" || m.value.streamed || stream.streamed.get(m.value.commandId) !== false) return [out];
      return [{ message: { $case: "reply", value: { ...m.value, streamed: true } } }];
    }),
  },
  {
    name: "crdt-message-after-end-stream",
    rule: "CRDT-79",
    breaks: "a streamed message with end_stream is followed by a copy without end_stream for the same command",
    run: "Crdt/Streamed/*",
    mustFail: ["Crdt/Streamed/end-state-ends-the-stream", "Crdt/Streamed/initial-update-reaching-end-state-ends-at-once"],
    mutate: onCrdtMessages((out) => {
      const m = out.message;
      if (m?.$case !== "streamedMessage" || !m.value.endStream) return [out];
      return [out, { message: { $case: "streamedMessage", value: { ...m.value, endStream: false } } }];
    }),
  },
  {
    name: "crdt-messages-after-delete",
    rule: "CRDT-90",
    breaks: "after an answer that deletes the entity, every open streamed command is ended with an end_stream message",
    run: "Crdt/*/delete-is-the-last-message",
    mustFail: ["Crdt/*/delete-is-the-last-message"],
    mutate: onCrdtMessages((out, stream) => {
      const m = out.message;
      if (m?.$case !== "reply" || m.value.stateAction?.action?.$case !== "delete") return [out];
      return [out, ...[...stream.open].map(endStreamMessage)];
    }),
  },
  {
    name: "crdt-messages-after-deleted",
    rule: "CRDT-97",
    breaks: "on deleted from the proxy, every open streamed command is ended with an end_stream message",
    run: "Crdt/Deleted/*",
    mustFail: ["Crdt/Deleted/deleted-from-the-proxy-silences-the-stream"],
    mutate: (method) => {
      if (method !== PATHS.crdt) return undefined;
      const stream = new CrdtStream();
      const each = rewriteEach(crdt.CrdtStreamOut, (out) => {
        stream.observeOut(out);
        return [out];
      });
      return {
        fromTck: (bytes, relay) => {
          const kind = stream.observeIn(bytes);
          relay.toModel(bytes);
          if (kind !== "deleted") return;
          for (const commandId of stream.open) relay.toTck(encodeMessage(crdt.CrdtStreamOut, endStreamMessage(commandId)));
          stream.open.clear();
        },
        fromModel: (bytes, relay) => each(bytes, (b) => relay.toTck(b)),
      };
    },
  },
  {
    name: "crdt-stream-cancelled-unanswered",
    rule: "CRDT-82",
    breaks: "stream_cancelled is never answered: the model's CrdtStreamCancelledResponse is dropped",
    run: "Crdt/Streamed/cancel*",
    mustFail: ["Crdt/Streamed/cancel-applies-the-cancel-update", "Crdt/Streamed/cancel-without-cancel-update-sends-a-bare-response"],
    mutate: onCrdtMessages((out) => (out.message?.$case === "streamCancelledResponse" ? [] : [out])),
  },
];
