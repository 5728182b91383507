// Mutants of the value entity model (spec/value-entity.md). The state action a
// failed handler asked for is rebuilt from the command's Request
// (proto/cloudstate/tck/model/valueentity.proto).
import { tckModelValueEntity as veModel, valueentity } from "@cloudstate/protocol";
import { type Mutation, PATHS } from "../mutation.js";
import { decodeOrUndefined, packAny, rewriteEach, unpackAny } from "../protocol-codec.js";

const PERSISTED = "cloudstate.tck.model.valueentity.Persisted";
const REQUEST = "cloudstate.tck.model.valueentity.Request";

type Reply = valueentity.ValueEntityReply;

/** A mutate function that rewrites each reply of a value entity stream, given the Process requests seen by command id. */
function onReplies(rewrite: (reply: Reply, requests: ReadonlyMap<bigint, veModel.Request>) => Reply): Mutation["mutate"] {
  return (method) => {
    if (method !== PATHS.valueEntity) return undefined;
    const requests = new Map<bigint, veModel.Request>();
    const each = rewriteEach(valueentity.ValueEntityStreamOut, (out): valueentity.ValueEntityStreamOut[] => {
      if (out.message?.$case !== "reply") return [out];
      const reply = rewrite(out.message.value, requests);
      return [reply === out.message.value ? out : { message: { $case: "reply", value: reply } }];
    });
    return {
      fromTck: (bytes, relay) => {
        const m = decodeOrUndefined(valueentity.ValueEntityStreamIn, bytes)?.message;
        if (m?.$case === "command") {
          const request = unpackAny(m.value.payload, REQUEST, veModel.Request);
          if (request !== undefined) requests.set(m.value.id, request);
        }
        relay.toModel(bytes);
      },
      fromModel: (bytes, relay) => each(bytes, (b) => relay.toTck(b)),
    };
  };
}

/** The state action of the last update or delete a request asked for before it failed. */
function stateActionBeforeFail(request: veModel.Request | undefined): valueentity.ValueEntityAction | undefined {
  let action: valueentity.ValueEntityAction | undefined;
  for (const { action: step } of request?.actions ?? []) {
    if (step?.$case === "fail") return action;
    if (step?.$case === "update") {
      action = { action: { $case: "update", value: { value: packAny(PERSISTED, veModel.Persisted, { value: step.value.value }) } } };
    }
    if (step?.$case === "delete") action = { action: { $case: "delete", value: {} } };
  }
  return undefined;
}

export const valueEntityMutations: readonly Mutation[] = [
  {
    name: "ve-state-action-kept-on-failure",
    rule: "VE-23",
    breaks: "a failure reply still carries the update or delete the handler asked for before failing",
    run: "ValueEntity/*",
    mustFail: ["ValueEntity/Failure/failed-update-is-not-applied", "ValueEntity/Failure/failed-delete-is-not-applied"],
    mutate: onReplies((reply, requests) => {
      if (reply.clientAction?.action?.$case !== "failure" || reply.stateAction !== undefined) return reply;
      const stateAction = stateActionBeforeFail(requests.get(reply.commandId));
      return stateAction === undefined ? reply : { ...reply, stateAction };
    }),
  },
  {
    name: "ve-update-dropped",
    rule: "VE-11",
    breaks: "a successful reply leaves out the update state action of a handler that replaced the value",
    run: "ValueEntity/*",
    mustFail: ["ValueEntity/Update/update-sends-the-new-value", "ValueEntity/Update/replaces-a-stored-value", "ValueEntity/Update/last-of-several-updates-wins"],
    mutate: onReplies((reply) => (reply.stateAction?.action?.$case === "update" ? { ...reply, stateAction: undefined } : reply)),
  },
  {
    name: "ve-delete-dropped",
    rule: "VE-12",
    breaks: "a successful reply leaves out the delete state action of a handler that deleted the value",
    run: "ValueEntity/Delete/*",
    mustFail: ["ValueEntity/Delete/delete-sends-a-delete-action", "ValueEntity/Delete/delete-without-stored-value"],
    mutate: onReplies((reply) => (reply.stateAction?.action?.$case === "delete" ? { ...reply, stateAction: undefined } : reply)),
  },
];
