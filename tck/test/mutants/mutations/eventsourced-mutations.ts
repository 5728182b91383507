// Mutants of the event-sourced model (spec/event-sourced.md, spec/commands.md).
// Each one rewrites the model's EventSourcedStreamOut so that the stream looks
// as if the support library had broken one rule. What the library would have
// sent instead (the events or side effects a failed handler asked for, the
// snapshot of the current state) is rebuilt from what the harness saw on the
// stream: the TCK model's behaviour is fully given by its Request's actions
// (proto/cloudstate/tck/model/eventsourced.proto).
import { type cloudstate, eventsourced, tckModelEventSourced as esModel } from "@cloudstate/protocol";
import { type Mutation, PATHS } from "../mutation.js";
import { decodeOrUndefined, packAny, rewriteEach, unpackAny } from "../protocol-codec.js";

const ES_MODEL = "cloudstate.tck.model.EventSourcedTckModel";
const ES_TWO = "cloudstate.tck.model.EventSourcedTwo";
const PERSISTED = "cloudstate.tck.model.Persisted";
const REQUEST = "cloudstate.tck.model.Request";

type Reply = eventsourced.EventSourcedReply;
type Out = eventsourced.EventSourcedStreamOut;

/** What the harness knows of one event-sourced stream. */
class EsStream {
  service = "";
  /** The model entity's state: the concatenated values of its Persisted events (from snapshot, replay and replies). */
  state = "";
  /** The decoded Process requests, by command id. */
  readonly requests = new Map<bigint, esModel.Request>();

  /** Follows a message from the TCK. */
  observeIn(bytes: Uint8Array): void {
    const m = decodeOrUndefined(eventsourced.EventSourcedStreamIn, bytes)?.message;
    switch (m?.$case) {
      case "init":
        this.service = m.value.serviceName;
        this.state = persistedValue(m.value.snapshot?.snapshot) ?? "";
        return;
      case "event":
        this.state += persistedValue(m.value.payload) ?? "";
        return;
      case "command": {
        const request = unpackAny(m.value.payload, REQUEST, esModel.Request);
        if (request !== undefined) this.requests.set(m.value.id, request);
        return;
      }
      case undefined:
        return;
    }
  }

  /** The state once the reply's events are applied. */
  stateAfter(reply: Reply): string {
    return this.state + reply.events.map((e) => persistedValue(e) ?? "").join("");
  }

  /** Follows a reply the model sent (as the model itself applies it). */
  observeOut(out: Out): void {
    if (out.message?.$case === "reply" && !isFailure(out.message.value)) this.state = this.stateAfter(out.message.value);
  }

  /** The request's actions up to its first fail, when it failed. */
  actionsBeforeFail(commandId: bigint): esModel.RequestAction[] {
    const actions = this.requests.get(commandId)?.actions ?? [];
    const fail = actions.findIndex((a) => a.action?.$case === "fail");
    return fail < 0 ? [] : actions.slice(0, fail);
  }
}

function persistedValue(any: cloudstate.Reply["payload"]): string | undefined {
  return unpackAny(any, PERSISTED, esModel.Persisted)?.value;
}

function isFailure(reply: Reply): boolean {
  return reply.clientAction?.action?.$case === "failure";
}

function persisted(value: string) {
  return packAny(PERSISTED, esModel.Persisted, { value });
}

/** A mutate function that rewrites each reply of an event-sourced stream, seeing the stream's history. */
function onReplies(rewrite: (reply: Reply, stream: EsStream) => Reply): Mutation["mutate"] {
  return (method) => {
    if (method !== PATHS.eventSourced) return undefined;
    const stream = new EsStream();
    const each = rewriteEach(eventsourced.EventSourcedStreamOut, (out) => {
      const rewritten: Out = out.message?.$case === "reply" ? { message: { $case: "reply", value: rewrite(out.message.value, stream) } } : out;
      stream.observeOut(out);
      return [rewritten.message?.value === out.message?.value ? out : rewritten];
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

export const eventSourcedMutations: readonly Mutation[] = [
  {
    name: "es-reply-with-wrong-command-id",
    rule: "CMD-6",
    breaks: "every event-sourced reply carries the command id plus one",
    run: "EventSourced/*",
    mustFail: [
      "EventSourced/Command/ids-are-echoed",
      "EventSourced/Emit/single-event-is-sent-with-the-reply",
      "EventSourced/Failure/explicit-failure-without-events",
      "EventSourced/Forward/forward-to-another-service",
      "EventSourced/SideEffect/asynchronous-side-effect",
    ],
    mutate: onReplies((reply) => ({ ...reply, commandId: reply.commandId + 1n })),
  },
  {
    name: "es-snapshot-without-events",
    rule: "ES-24",
    breaks: "a successful reply without events carries a snapshot of the current state",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Emit/command-without-events-sends-none", "EventSourced/Snapshot/none-without-events-at-a-multiple", "EventSourced/Snapshot/none-after-a-live-multiple-without-events"],
    mutate: onReplies((reply, stream) =>
      stream.service === ES_MODEL && !isFailure(reply) && reply.events.length === 0 && reply.snapshot === undefined
        ? { ...reply, snapshot: persisted(stream.state) }
        : reply,
    ),
  },
  {
    name: "es-snapshot-on-every-reply",
    rule: "ES-30",
    breaks: "every reply with events carries a snapshot, as if snapshotEvery were 1 instead of the configured 5",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Emit/single-event-is-sent-with-the-reply", "EventSourced/Emit/multiple-events-keep-their-order"],
    mutate: onReplies((reply, stream) =>
      stream.service === ES_MODEL && !isFailure(reply) && reply.events.length > 0 && reply.snapshot === undefined
        ? { ...reply, snapshot: persisted(stream.stateAfter(reply)) }
        : reply,
    ),
  },
  {
    name: "es-events-kept-on-failure",
    rule: "ES-34",
    breaks: "a failure reply still carries the events the handler emitted before failing",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Failure/failure-after-emit-discards-events-and-restarts", "EventSourced/Failure/failure-at-a-boundary-sends-no-snapshot"],
    mutate: onReplies((reply, stream) => {
      if (!isFailure(reply) || reply.events.length > 0) return reply;
      const events = stream
        .actionsBeforeFail(reply.commandId)
        .flatMap(({ action }) => (action?.$case === "emit" ? [persisted(action.value.value)] : []));
      return events.length === 0 ? reply : { ...reply, events };
    }),
  },
  {
    name: "es-no-restart-after-emit",
    rule: "ES-36",
    breaks: "a command that emitted events and then failed answers with restart = false",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Failure/failure-after-emit-discards-events-and-restarts", "EventSourced/Failure/failure-at-a-boundary-sends-no-snapshot"],
    mutate: onReplies((reply) => {
      const action = reply.clientAction?.action;
      if (action?.$case !== "failure" || !action.value.restart) return reply;
      return { ...reply, clientAction: { action: { $case: "failure", value: { ...action.value, restart: false } } } };
    }),
  },
  {
    name: "es-events-reordered",
    rule: "ES-16",
    breaks: "the events of a reply are sent in reverse emission order",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Emit/multiple-events-keep-their-order"],
    mutate: onReplies((reply) => (reply.events.length < 2 ? reply : { ...reply, events: [...reply.events].reverse() })),
  },
  {
    name: "es-failure-keeps-side-effects",
    rule: "ES-35 (SHOULD)",
    breaks: "a failure reply carries the side effects the handler asked for before failing",
    run: "EventSourced/*",
    mustFail: ["EventSourced/Failure/failure-carries-no-side-effects"],
    advisory: true,
    mutate: onReplies((reply, stream) => {
      if (!isFailure(reply) || reply.sideEffects.length > 0) return reply;
      const sideEffects: cloudstate.SideEffect[] = stream.actionsBeforeFail(reply.commandId).flatMap(({ action }) =>
        action?.$case === "effect"
          ? [
              {
                serviceName: ES_TWO,
                commandName: "Call",
                payload: packAny(REQUEST, esModel.Request, { id: action.value.id, actions: [] }),
                synchronous: action.value.synchronous,
                metadata: undefined,
              },
            ]
          : [],
      );
      return sideEffects.length === 0 ? reply : { ...reply, sideEffects };
    }),
  },
  {
    name: "es-every-failure-restarts",
    rule: "ERR-39",
    breaks: "every failure reply asks for a restart, also for an unknown command or an undecodable payload",
    run: "EventSourced/Command/*",
    mustFail: ["EventSourced/Command/unknown-command-fails-without-restart", "EventSourced/Command/undecodable-payload-fails-without-restart", "EventSourced/Command/payload-of-another-type-fails-without-restart"],
    mutate: onReplies((reply) => {
      const action = reply.clientAction?.action;
      if (action?.$case !== "failure" || action.value.restart) return reply;
      return { ...reply, clientAction: { action: { $case: "failure", value: { ...action.value, restart: true } } } };
    }),
  },
];
