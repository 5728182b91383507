// Mutants of the CRDT model's state actions (spec/crdt.md sections 3 and 4).
// What a failed handler asked for is rebuilt from the command's Request
// (proto/cloudstate/tck/model/crdt.proto), for the counter and delete actions
// the cases use.
import { crdt, type tckModelCrdt as crdtModel } from "@cloudstate/protocol";
import type { Mutation } from "../mutation.js";
import { type CrdtOut, type CrdtStream, onCrdtMessages } from "./crdt-stream.js";

type StateAction = crdt.CrdtStateAction;

/** Rewrites the state action of replies and stream-cancelled responses. */
function onStateActions(rewrite: (action: StateAction | undefined, out: CrdtOut, stream: CrdtStream) => StateAction | undefined): Mutation["mutate"] {
  return onCrdtMessages((out, stream) => {
    const m = out.message;
    if (m?.$case === "reply") {
      const stateAction = rewrite(m.value.stateAction, out, stream);
      return [stateAction === m.value.stateAction ? out : { message: { $case: "reply", value: { ...m.value, stateAction } } }];
    }
    if (m?.$case === "streamCancelledResponse") {
      const stateAction = rewrite(m.value.stateAction, out, stream);
      return [stateAction === m.value.stateAction ? out : { message: { $case: "streamCancelledResponse", value: { ...m.value, stateAction } } }];
    }
    return [out];
  });
}

/** The state action with every counter delta in it doubled (nested ORMap deltas are left alone). */
function doubled(action: StateAction | undefined): StateAction | undefined {
  const delta = action?.action?.$case === "update" ? action.action.value.delta : undefined;
  let changed: crdt.CrdtDelta["delta"];
  if (delta?.$case === "gcounter") changed = { $case: "gcounter", value: { increment: delta.value.increment * 2n } };
  else if (delta?.$case === "pncounter") changed = { $case: "pncounter", value: { change: delta.value.change * 2n } };
  if (action === undefined || changed === undefined) return action;
  return { ...action, action: { $case: "update", value: { delta: changed } } };
}

/** The state action of the last delete or counter update a request asked for before it failed. */
function stateActionBeforeFail(request: crdtModel.Request | undefined, hasValue: boolean): StateAction | undefined {
  const local = crdt.CrdtWriteConsistency.LOCAL;
  let action: StateAction | undefined;
  for (const { action: step } of request?.actions ?? []) {
    if (step?.$case === "fail") return action;
    if (step?.$case === "delete") action = { action: { $case: "delete", value: {} }, writeConsistency: local };
    const update = step?.$case === "update" ? step.value.update : undefined;
    if (update?.$case === "gcounter") {
      action = hasValue
        ? { action: { $case: "update", value: { delta: { $case: "gcounter", value: { increment: update.value.increment } } } }, writeConsistency: local }
        : { action: { $case: "create", value: { state: { $case: "gcounter", value: { value: update.value.increment } } } }, writeConsistency: local };
    }
    if (update?.$case === "pncounter") {
      action = hasValue
        ? { action: { $case: "update", value: { delta: { $case: "pncounter", value: { change: update.value.change } } } }, writeConsistency: local }
        : { action: { $case: "create", value: { state: { $case: "pncounter", value: { value: update.value.change } } } }, writeConsistency: local };
    }
  }
  return undefined;
}

export const crdtMutations: readonly Mutation[] = [
  {
    name: "crdt-counter-delta-doubled",
    rule: "CRDT-24, CRDT-25",
    breaks: "the delta of a GCounter or PNCounter update is twice the change the handler made (and applied to its own value)",
    run: "Crdt/*Counter/*",
    mustFail: ["Crdt/GCounter/update-sends-the-increment", "Crdt/GCounter/increments-in-one-command-make-one-delta", "Crdt/PNCounter/update-sends-the-change"],
    mutate: onStateActions((action) => doubled(action)),
  },
  {
    name: "crdt-failure-keeps-state-action",
    rule: "CRDT-27",
    breaks: "a failure reply still carries the delete or counter update the handler asked for before failing",
    run: "Crdt/Effects/*",
    mustFail: ["Crdt/Effects/failure-sends-no-state-action-and-keeps-the-value", "Crdt/Effects/failure-on-an-entity-without-value-creates-nothing", "Crdt/Effects/failure-after-delete-keeps-the-entity"],
    mutate: onStateActions((action, out, stream) => {
      const m = out.message;
      if (action !== undefined || m?.$case !== "reply" || m.value.clientAction?.action?.$case !== "failure") return action;
      return stateActionBeforeFail(stream.requests.get(m.value.commandId), stream.hasValue);
    }),
  },
  {
    name: "crdt-write-consistency-dropped",
    rule: "CRDT-105",
    breaks: "every state action is sent with write consistency LOCAL, whatever the handler chose",
    run: "Crdt/*write-consistency*",
    mustFail: ["Crdt/GCounter/update-carries-write-consistency-majority", "Crdt/GCounter/create-carries-write-consistency-all", "Crdt/Vote/update-carries-write-consistency-all"],
    mutate: onStateActions((action) =>
      action === undefined || action.writeConsistency === crdt.CrdtWriteConsistency.LOCAL ? action : { ...action, writeConsistency: crdt.CrdtWriteConsistency.LOCAL },
    ),
  },
];
