import { Action, type ActionContext, type Outcome } from "@cloudstate/node-support";
import { tckModelAction as model } from "@cloudstate/protocol";

const { Response, OtherRequest } = model;

/**
 * Applies a group of steps to a context: side effects are added, and the last
 * reply, forward or failure becomes the result (later steps take precedence).
 */
function applySteps(steps: readonly model.ProcessStep[], ctx: ActionContext<model.Response>): Outcome<model.Response> {
  let result: Outcome<model.Response> = ctx.noReply();
  for (const { step } of steps) {
    switch (step?.$case) {
      case "reply":
        result = ctx.reply(Response.create({ message: step.value.message }));
        break;
      case "forward":
        result = ctx.forward(model.ActionTwoDefinition, "call", OtherRequest.create({ id: step.value.id }));
        break;
      case "fail":
        result = ctx.fail(step.value.message);
        break;
      case "effect":
        ctx.effect(model.ActionTwoDefinition, "call", OtherRequest.create({ id: step.value.id }), { synchronous: step.value.synchronous });
        break;
      case undefined:
        break;
    }
  }
  return result;
}

const allSteps = (request: model.Request) => request.groups.flatMap((g) => g.steps);

/** ActionTckModel exactly as proto/cloudstate/tck/model/action.proto describes it. */
export const actionTckModel = new Action({
  service: model.ActionTckModelDefinition,
  commands: {
    processUnary: (request, ctx) => applySteps(allSteps(request), ctx),
    processStreamedIn: async (requests, ctx) => {
      const steps: model.ProcessStep[] = [];
      for await (const request of requests) steps.push(...allSteps(request));
      return applySteps(steps, ctx);
    },
    processStreamedOut: (request, ctx) => {
      for (const group of request.groups) ctx.send(applySteps(group.steps, ctx));
    },
    processStreamed: async (requests, ctx) => {
      for await (const request of requests) {
        for (const group of request.groups) ctx.send(applySteps(group.steps, ctx));
      }
    },
  },
});

/** Target of the model's forwards and side effects. */
export const actionTwo = new Action({
  service: model.ActionTwoDefinition,
  commands: { call: () => Response.create() },
});
