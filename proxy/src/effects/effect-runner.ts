import { type Any, Any as AnyCodec, type cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { MethodSpec, UserSpec } from "../discovery/user-spec.js";
import { fail, ok, type UnaryResult, userFailure } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import { type Answer, NOTHING_AFTER } from "../routing/service-handler.js";

/** Logs what nobody else will see: failed asynchronous side effects (EFF-31). */
export interface EffectLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

const EMPTY = new Uint8Array(0);

/**
 * Carries out a validated answer of the user function (spec/effects.md):
 * synchronous side effects one after the other, then the client action, and
 * once the caller is answered the asynchronous side effects.
 */
export class EffectRunner {
  constructor(
    private readonly spec: UserSpec,
    private readonly dispatcher: Dispatcher,
    private readonly log: EffectLog,
  ) {}

  async complete(
    method: MethodSpec,
    action: cloudstate.ClientAction | undefined,
    sideEffects: readonly cloudstate.SideEffect[],
    depth: number,
  ): Promise<Answer> {
    // A failed synchronous side effect ends the processing of the answer (EFF-27, EFF-28).
    const syncFailure = await this.runSync(sideEffects, depth);
    if (syncFailure) return { result: syncFailure, afterReply: NOTHING_AFTER };
    const asyncEffects = sideEffects.filter((e) => !e.synchronous);
    const answer = await this.clientAction(method, action, depth);
    return {
      result: answer.result,
      afterReply: () => {
        answer.afterReply();
        this.runAsync(asyncEffects, depth);
      },
    };
  }

  /** Performs side effects without a caller to answer (a cancelled CRDT stream, actions' responses). */
  runAsync(effects: readonly cloudstate.SideEffect[], depth: number): void {
    for (const effect of effects) {
      void this.call(effect.serviceName, effect.commandName, effect.payload, effect.metadata, depth).then((result) => {
        if (!result.ok) {
          this.log.warn("asynchronous side effect failed", { target: `${effect.serviceName}/${effect.commandName}`, code: status[result.error.code], error: result.error.message });
        }
      });
    }
  }

  /** Performs synchronous side effects in order, stopping at the first failure (EFF-23, EFF-28). */
  async runSync(effects: readonly cloudstate.SideEffect[], depth: number): Promise<UnaryResult | undefined> {
    for (const effect of effects) {
      if (!effect.synchronous) continue;
      const result = await this.call(effect.serviceName, effect.commandName, effect.payload, effect.metadata, depth);
      if (!result.ok) {
        return userFailure(`side effect ${effect.serviceName}/${effect.commandName} failed: ${status[result.error.code]}: ${result.error.message}`);
      }
    }
    return undefined;
  }

  private async clientAction(method: MethodSpec, action: cloudstate.ClientAction | undefined, depth: number): Promise<Answer> {
    const a = action?.action;
    switch (a?.$case) {
      case "reply":
        return { result: ok(a.value.payload?.value ?? EMPTY, a.value.metadata), afterReply: NOTHING_AFTER };
      case "forward": {
        const target = this.spec.services.get(a.value.serviceName)?.methods.get(a.value.commandName);
        if (target === undefined) return { result: fail(status.INTERNAL, `forward to unknown ${a.value.serviceName}/${a.value.commandName}`), afterReply: NOTHING_AFTER };
        // Only the forward's own metadata goes with it (EFF-10); its outcome is the caller's (EFF-11).
        return this.dispatcher.unary(target, requestOf(target, a.value.payload), a.value.metadata, depth + 1);
      }
      case "failure":
        return { result: userFailure(a.value.description), afterReply: NOTHING_AFTER };
      case undefined:
        // No answer where one is allowed: an empty message of the output type (ACT decision, ANY-26).
        return { result: ok(EMPTY), afterReply: NOTHING_AFTER };
    }
  }

  private async call(serviceName: string, commandName: string, payload: Any | undefined, metadata: cloudstate.Metadata | undefined, depth: number): Promise<UnaryResult> {
    const target = this.spec.services.get(serviceName)?.methods.get(commandName);
    if (target === undefined) return fail(status.INTERNAL, `unknown side effect target ${serviceName}/${commandName}`);
    const answer = await this.dispatcher.unary(target, requestOf(target, payload), metadata, depth + 1);
    answer.afterReply();
    return answer.result;
  }
}

/**
 * The request message of a forward or side effect to `target`: the payload's bytes, or for a
 * target taking `google.protobuf.Any` the payload itself, which the dispatcher passes on as is (ANY-21).
 */
function requestOf(target: MethodSpec, payload: Any | undefined): Uint8Array {
  if (payload !== undefined && target.input.typeName === "google.protobuf.Any") return AnyCodec.encode(payload).finish();
  return payload?.value ?? EMPTY;
}
