import type { cloudstate } from "@cloudstate/protocol";
import type { MethodSpec, UserSpec } from "../discovery/user-spec.js";

/** The type name in a type URL (after its last "/", ANY-3). */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}

/** A payload fits a message type when it is unset (an empty message, ANY-26/27), names that type, or the type is Any. */
function payloadFits(payload: { typeUrl: string } | undefined, typeName: string): boolean {
  return payload === undefined || typeName === "google.protobuf.Any" || typeNameOf(payload.typeUrl) === typeName;
}

/**
 * Checks a client action against the method called (EFF-1, EFF-6, EFF-15, EFF-16,
 * ERR-23..25). Returns the violation, naming its rule, or undefined.
 */
export function clientActionProblem(spec: UserSpec, method: MethodSpec, action: cloudstate.ClientAction | undefined): string | undefined {
  const a = action?.action;
  switch (a?.$case) {
    case "reply":
      return payloadFits(a.value.payload, method.output.typeName)
        ? undefined
        : `ERR-23: reply payload ${a.value.payload?.typeUrl ?? ""} is not ${method.output.typeName}, the output of ${method.path}`;
    case "forward": {
      const problem = targetProblem(spec, a.value.serviceName, a.value.commandName, a.value.payload, "forward");
      if (problem) return problem;
      const target = spec.services.get(a.value.serviceName)?.methods.get(a.value.commandName);
      if (target && target.output.typeName !== method.output.typeName) {
        return `ERR-25: forward to ${target.path} answers ${target.output.typeName}, but ${method.path} must answer ${method.output.typeName}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Checks every side effect's target and payload (EFF-15, ERR-24). */
export function sideEffectsProblem(spec: UserSpec, effects: readonly cloudstate.SideEffect[]): string | undefined {
  for (const effect of effects) {
    const problem = targetProblem(spec, effect.serviceName, effect.commandName, effect.payload, "side effect");
    if (problem) return problem;
  }
  return undefined;
}

function targetProblem(spec: UserSpec, serviceName: string, commandName: string, payload: { typeUrl: string } | undefined, what: string): string | undefined {
  const target = spec.services.get(serviceName)?.methods.get(commandName);
  if (target === undefined) return `ERR-24: ${what} to unknown method ${serviceName}/${commandName}`;
  if (target.shape !== "unary") return `ERR-24: ${what} to ${target.path}, which is not unary`;
  if (!payloadFits(payload, target.input.typeName)) {
    return `ERR-24: ${what} payload ${payload?.typeUrl ?? ""} is not ${target.input.typeName}, the input of ${target.path}`;
  }
  return undefined;
}
