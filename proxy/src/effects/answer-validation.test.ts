import { describe, expect, it } from "@jest/globals";
import { type cloudstate, contractsDescriptorSetBytes, EntityType } from "@cloudstate/protocol";
import { validateSpec } from "../discovery/spec-validation.js";
import { findMethod } from "../discovery/user-spec.js";
import { clientActionProblem, sideEffectsProblem } from "./answer-validation.js";

const ES = "cloudstate.tck.model.EventSourcedTckModel";
const ES_TWO = "cloudstate.tck.model.EventSourcedTwo";
const ACTION = "cloudstate.tck.model.action.ActionTckModel";
const ACTION_TWO = "cloudstate.tck.model.action.ActionTwo";

const spec = validateSpec({
  proto: contractsDescriptorSetBytes(),
  entities: [
    { entityType: EntityType.EventSourced, serviceName: ES, persistenceId: "es", passivationStrategy: undefined },
    { entityType: EntityType.EventSourced, serviceName: ES_TWO, persistenceId: "es-two", passivationStrategy: undefined },
    { entityType: EntityType.Action, serviceName: ACTION, persistenceId: "", passivationStrategy: undefined },
    { entityType: EntityType.Action, serviceName: ACTION_TWO, persistenceId: "", passivationStrategy: undefined },
  ],
  serviceInfo: undefined,
});
const process = findMethod(spec, ES, "Process");
if (process === undefined) throw new Error("the TCK model has no EventSourcedTckModel.Process");

const any = (typeName: string) => ({ typeUrl: `type.googleapis.com/${typeName}`, value: new Uint8Array() });
const forward = (serviceName: string, commandName: string, typeName: string): cloudstate.ClientAction => ({
  action: { $case: "forward", value: { serviceName, commandName, payload: any(typeName), metadata: undefined } },
});
const effect = (serviceName: string, commandName: string, typeName: string): cloudstate.SideEffect => ({
  serviceName,
  commandName,
  payload: any(typeName),
  synchronous: false,
  metadata: undefined,
});

// Rule ids as spec/protocol-errors.md numbers them: reportError and the INTERNAL status name them.
describe("answer validation names the rule of spec/protocol-errors.md", () => {
  it.each([
    ["a reply of another type than the method's output", { action: { $case: "reply", value: { payload: any("cloudstate.tck.model.Persisted"), metadata: undefined } } }, "ERR-23"],
    ["a forward to an unknown method", forward(ES_TWO, "Nope", "cloudstate.tck.model.Request"), "ERR-24"],
    ["a forward with a payload of another type than the target's input", forward(ES_TWO, "Call", "cloudstate.tck.model.Persisted"), "ERR-24"],
    ["a forward to a method that is not unary", forward(ACTION, "ProcessStreamedOut", "cloudstate.tck.model.action.Request"), "ERR-24"],
    ["a forward whose target answers another type", forward(ACTION_TWO, "Call", "cloudstate.tck.model.action.OtherRequest"), "ERR-25"],
  ] as const)("%s: %s", (_what, action, rule) => {
    expect(clientActionProblem(spec, process, action as cloudstate.ClientAction)).toMatch(new RegExp(`^${rule}:`));
  });

  it("accepts a reply of the output type, an empty reply and a valid forward", () => {
    expect(clientActionProblem(spec, process, { action: { $case: "reply", value: { payload: any("cloudstate.tck.model.Response"), metadata: undefined } } })).toBeUndefined();
    expect(clientActionProblem(spec, process, { action: { $case: "reply", value: { payload: undefined, metadata: undefined } } })).toBeUndefined();
    expect(clientActionProblem(spec, process, forward(ES_TWO, "Call", "cloudstate.tck.model.Request"))).toBeUndefined();
  });

  it.each([
    ["to an unknown service", effect("no.Such", "Call", "cloudstate.tck.model.Request")],
    ["with a payload of another type than the target's input", effect(ES_TWO, "Call", "cloudstate.tck.model.Response")],
    ["to a method that is not unary", effect(ACTION, "ProcessStreamed", "cloudstate.tck.model.action.Request")],
  ])("a side effect %s: ERR-24", (_what, sideEffect) => {
    expect(sideEffectsProblem(spec, [effect(ES_TWO, "Call", "cloudstate.tck.model.Request"), sideEffect])).toMatch(/^ERR-24:/);
  });
});
