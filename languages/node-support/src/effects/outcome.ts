import type { Any } from "@cloudstate/protocol";
import type { Metadata } from "./metadata.js";

/**
 * What a command handler answers: a reply, a forward, a failure, or nothing.
 * Built through a context (`ctx.reply`, `ctx.forward`, `ctx.fail`, `ctx.noReply`);
 * a handler may also return the response message itself, which means a reply.
 */
export type Outcome<R> = ReplyOutcome<R> | ForwardOutcome | FailureOutcome | NoReplyOutcome;

interface Branded {
  readonly [OUTCOME]: true;
}

const OUTCOME = Symbol("cloudstate.outcome");

export interface ReplyOutcome<R> extends Branded {
  readonly kind: "reply";
  readonly message: R;
  readonly metadata: Metadata | undefined;
}

export interface ForwardOutcome extends Branded {
  readonly kind: "forward";
  readonly serviceName: string;
  readonly commandName: string;
  readonly payload: Any;
  readonly metadata: Metadata | undefined;
}

export interface FailureOutcome extends Branded {
  readonly kind: "failure";
  readonly description: string;
  /** Ask the proxy to re-initialise the entity (spec/commands.md). */
  readonly restart: boolean;
}

export interface NoReplyOutcome extends Branded {
  readonly kind: "noReply";
}

export function replyOutcome<R>(message: R, metadata?: Metadata): ReplyOutcome<R> {
  return { [OUTCOME]: true, kind: "reply", message, metadata };
}

export function forwardOutcome(serviceName: string, commandName: string, payload: Any, metadata?: Metadata): ForwardOutcome {
  return { [OUTCOME]: true, kind: "forward", serviceName, commandName, payload, metadata };
}

export function failureOutcome(description: string, restart = false): FailureOutcome {
  return { [OUTCOME]: true, kind: "failure", description, restart };
}

export function noReplyOutcome(): NoReplyOutcome {
  return { [OUTCOME]: true, kind: "noReply" };
}

export function isOutcome(value: unknown): value is Outcome<unknown> {
  return typeof value === "object" && value !== null && OUTCOME in value;
}

/** A handler's result normalised: plain messages become replies. */
export function toOutcome<R>(result: R | Outcome<R>): Outcome<R> {
  return isOutcome(result) ? (result) : replyOutcome(result);
}
