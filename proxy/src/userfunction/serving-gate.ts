import { type Any, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { ServiceSpec } from "../discovery/user-spec.js";
import { type CallError, type ResponseStream, unavailable } from "../routing/call-result.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";
import type { UserFunctionConnection } from "./user-function-connection.js";

/** What the gate needs to know. */
export interface ServingGateOptions {
  readonly connection: UserFunctionConnection;
  /** How long an action call waits for a re-discovery before failing UNAVAILABLE (FO-4). */
  readonly queueTimeoutMs: number;
}

const REFUSED: CallError = {
  code: status.UNAVAILABLE,
  message: "the proxy does not serve: it refuses the entity spec the user function now serves (see the proxy's log; spec/failover.md FO-22, FO-23)",
};

/**
 * Puts a service's runtime behind the user function connection state (spec/failover.md §5):
 * every call — from a client, the HTTP frontend, a forward, a side effect or an event delivery —
 * fails UNAVAILABLE at once while the proxy refuses the user function's spec (FO-23). While the
 * user function is being discovered again, an action call waits for the discovery (bounded by the
 * queue timeout), so that it never reaches a user function that was not discovered again (FO-21);
 * entity commands go on to their entity, whose queue waits in the same way (see
 * UserFunctionClient.ready).
 */
export function gateHandler(handler: ServiceHandler, service: ServiceSpec, options: ServingGateOptions): ServiceHandler {
  const { connection } = options;
  const isAction = service.entityType === EntityType.Action;
  /** Whether a call may go ahead: at once (a boolean), or once the promise resolves. */
  const admission = (): Promise<boolean> | boolean => {
    switch (connection.state) {
      case "serving":
        return true;
      case "recovering":
      case "starting":
        return isAction ? connection.whenServing(Date.now() + options.queueTimeoutMs) : true;
      case "refused":
      case "closed":
        return false;
    }
  };
  const failure = (): CallError =>
    connection.state === "refused" || connection.state === "closed"
      ? REFUSED
      : { code: status.UNAVAILABLE, message: `the user function was not discovered again within ${options.queueTimeoutMs} ms (spec/failover.md FO-4, FO-21)` };
  const refusedAnswer = (): Promise<Answer> => Promise.resolve({ result: unavailable(failure().message), afterReply: NOTHING_AFTER });
  const then = <T>(admitted: Promise<boolean> | boolean, go: () => T, refuse: () => T): T | Promise<T> => {
    if (admitted === true) return go();
    if (admitted === false) return refuse();
    return admitted.then((ok) => (ok ? go() : refuse()));
  };
  const streamed = (out: ResponseStream, go: () => void): void => {
    void then(
      admission(),
      () => {
        if (!out.cancelled.aborted) go();
      },
      () => out.end(failure()),
    );
  };
  return {
    unary: (call: RoutedCall) => Promise.resolve(then(admission(), () => handler.unary(call), refusedAnswer)),
    serverStream: (call: RoutedCall, out: ResponseStream) => streamed(out, () => handler.serverStream(call, out)),
    clientStream: (call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>) => Promise.resolve(then(admission(), () => handler.clientStream(call, requests), refusedAnswer)),
    bidi: (call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>, out: ResponseStream) => streamed(out, () => handler.bidi(call, requests, out)),
    close: () => handler.close(),
  };
}
