import { EntityType } from "@cloudstate/protocol";
import type { CodecLike } from "../any/any-support.js";
import type { Outcome } from "../effects/outcome.js";
import type { MethodDefinition, RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { ActionContext, ActionStreamContext } from "./action-context.js";

/** What a handler returns: the response message, or an outcome built with its context. */
export type ActionResult<Res> = Res | Outcome<Res>;

/** Unary: one request, one result. */
export type ActionUnaryHandler<Req, Res> = (request: Req, ctx: ActionContext<Res>) => ActionResult<Res> | Promise<ActionResult<Res>>;
/** Client streaming: every request, then one result. */
export type ActionStreamedInHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ActionContext<Res>) => Promise<ActionResult<Res>>;
/** Server streaming: results are sent with `ctx.send`; the stream ends when the handler resolves. */
export type ActionStreamedOutHandler<Req, Res> = (request: Req, ctx: ActionStreamContext<Res>) => void | Promise<void>;
/** Bidirectional: results are sent with `ctx.send`; the stream ends when the handler resolves. */
export type ActionStreamedHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ActionStreamContext<Res>) => void | Promise<void>;

/** The handler shape a method's streaming flags call for (spec/action.md). */
export type ActionHandlerFor<M> = M extends MethodDefinition<infer Req, infer Res> & {
  /** The method's client-streaming flag, which must be a literal `true` or `false` (as generated) to pick a shape. */
  readonly requestStream: infer CS;
  /** The method's server-streaming flag, which must be a literal `true` or `false` (as generated) to pick a shape. */
  readonly responseStream: infer SS;
}
  ? CS extends true
    ? SS extends true
      ? ActionStreamedHandler<Req, Res>
      : ActionStreamedInHandler<Req, Res>
    : SS extends true
      ? ActionStreamedOutHandler<Req, Res>
      : ActionUnaryHandler<Req, Res>
  : never;

/**
 * Handlers keyed by the service definition's method keys (`addItem`), each of the
 * shape its method's streaming calls for. A call to a method without a handler
 * is answered with a failure (spec/action.md ACT-11).
 */
export type ActionHandlers<Svc extends ServiceDefinition> = {
  readonly [K in keyof Svc["methods"]]?: ActionHandlerFor<Svc["methods"][K]>;
};

/** What defines an action: its service and handlers. */
export interface ActionOptions<Svc extends ServiceDefinition> {
  /** The gRPC service this action implements (a ts-proto generic definition). */
  readonly service: Svc;
  /** The handlers, by method key. */
  readonly commands: ActionHandlers<Svc>;
  /** More types that payloads may carry. */
  readonly types?: readonly CodecLike<unknown>[];
}

/** A stateless action definition, to add to a `CloudstateServer` (spec/action.md). */
export class Action<Svc extends ServiceDefinition = ServiceDefinition> {
  /** The component kind announced at discovery: the action protocol's service name. */
  readonly entityType = EntityType.Action;

  constructor(
    /** The options the action was defined with. */
    readonly options: ActionOptions<Svc>,
  ) {}

  /** Fully qualified name of the service; the server routes the action's calls by it. */
  get serviceName(): string {
    return this.options.service.fullName;
  }
}

export type { RequestOf, ResponseOf };
