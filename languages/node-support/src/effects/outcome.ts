import type { Any } from "@cloudstate/protocol";
import type { Metadata } from "./metadata.js";

/**
 * What a command handler answers: a reply, a forward, a failure, or nothing.
 * Built through a context (`ctx.reply`, `ctx.forward`, `ctx.fail`, `ctx.noReply`);
 * a handler may also return the response message itself, which means a reply.
 */
export type Outcome<R> = ReplyOutcome<R> | ForwardOutcome | FailureOutcome | NoReplyOutcome;

interface Branded {
  /** Marks an outcome, so that a handler's result is not mistaken for a response message. */
  readonly [OUTCOME]: true;
}

const OUTCOME = Symbol("cloudstate.outcome");

/** Answers the caller with a message (spec/effects.md §3); built by `ctx.reply`, or implied by returning the message. */
export interface ReplyOutcome<R> extends Branded {
  /** Discriminant of `Outcome`. */
  readonly kind: "reply";
  /** The response, packed as the method's output type (an `Any` output is sent as it is, spec/payloads.md ANY-25). */
  readonly message: R;
  /** Reply metadata, sent to a gRPC client as response headers (spec/metadata.md); undefined for none. */
  readonly metadata: Metadata | undefined;
}

/** Hands the command to another service method, whose answer becomes the caller's (spec/effects.md §4); built by `ctx.forward`. */
export interface ForwardOutcome extends Branded {
  /** Discriminant of `Outcome`. */
  readonly kind: "forward";
  /** Fully qualified name of the target service (EFF-7). */
  readonly serviceName: string;
  /** Protobuf name of the target method, e.g. `AddItem`. */
  readonly commandName: string;
  /** The request, already packed as the target method's input type (EFF-8). */
  readonly payload: Any;
  /** Metadata of the forwarded call; the original call's metadata is not passed on (EFF-10). */
  readonly metadata: Metadata | undefined;
}

/**
 * Fails the command: the caller's call ends with gRPC status UNKNOWN (spec/effects.md
 * §5, EFF-17), and an entity keeps none of the command's changes or side effects.
 */
export interface FailureOutcome extends Branded {
  /** Discriminant of `Outcome`. */
  readonly kind: "failure";
  /** The error message the caller gets, unchanged: keep internal details out of it (EFF-17, EFF-21). */
  readonly description: string;
  /** Ask the proxy to re-initialise the entity (spec/commands.md). */
  readonly restart: boolean;
}

/**
 * Sends the caller nothing. Allowed for actions and accepted streamed CRDT
 * commands; elsewhere the library turns it into a failure.
 */
export interface NoReplyOutcome extends Branded {
  /** Discriminant of `Outcome`. */
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
