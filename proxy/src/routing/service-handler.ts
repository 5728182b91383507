import type { Any, cloudstate } from "@cloudstate/protocol";
import type { MethodSpec } from "../discovery/user-spec.js";
import type { ResponseStream, UnaryResult } from "./call-result.js";

/**
 * The answer to a unary call, and the work to do once the caller has it:
 * asynchronous side effects start only after the caller is answered (EFF-25).
 */
export interface Answer {
  readonly result: UnaryResult;
  afterReply(): void;
}

export const NOTHING_AFTER = (): void => undefined;

/** One call routed to a service: the method, the entity key (empty for actions), the request. */
export interface RoutedCall {
  readonly method: MethodSpec;
  readonly key: string;
  /** The request packed as the user function receives it (spec/payloads.md). */
  readonly payload: Any;
  readonly metadata: cloudstate.Metadata | undefined;
  /** How many forwards led here (EFF-13). */
  readonly depth: number;
}

/** What each entity kind's runtime offers the dispatcher. */
export interface ServiceHandler {
  unary(call: RoutedCall): Promise<Answer>;
  serverStream(call: RoutedCall, out: ResponseStream): void;
  clientStream(call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>): Promise<Answer>;
  bidi(call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>, out: ResponseStream): void;
  /** Passivates everything (graceful shutdown). */
  close(): Promise<void>;
}
