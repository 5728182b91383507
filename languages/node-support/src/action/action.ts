import { EntityType } from "@cloudstate/protocol";
import type { CodecLike } from "../any/any-support.js";
import type { Outcome } from "../effects/outcome.js";
import type { MethodDefinition, RequestOf, ResponseOf, ServiceDefinition } from "../effects/service-definition.js";
import type { ActionContext, ActionStreamContext } from "./action-context.js";

type Result<Res> = Res | Outcome<Res>;

/** Unary: one request, one result. */
export type ActionUnaryHandler<Req, Res> = (request: Req, ctx: ActionContext<Res>) => Result<Res> | Promise<Result<Res>>;
/** Client streaming: every request, then one result. */
export type ActionStreamedInHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ActionContext<Res>) => Promise<Result<Res>>;
/** Server streaming: results are sent with `ctx.send`; the stream ends when the handler resolves. */
export type ActionStreamedOutHandler<Req, Res> = (request: Req, ctx: ActionStreamContext<Res>) => void | Promise<void>;
/** Bidirectional: results are sent with `ctx.send`; the stream ends when the handler resolves. */
export type ActionStreamedHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ActionStreamContext<Res>) => void | Promise<void>;

/** The handler shape a method's streaming flags call for (spec/action.md). */
export type ActionHandlerFor<M> = M extends MethodDefinition<infer Req, infer Res> & { readonly requestStream: infer CS; readonly responseStream: infer SS }
  ? CS extends true
    ? SS extends true
      ? ActionStreamedHandler<Req, Res>
      : ActionStreamedInHandler<Req, Res>
    : SS extends true
      ? ActionStreamedOutHandler<Req, Res>
      : ActionUnaryHandler<Req, Res>
  : never;

export type ActionHandlers<Svc extends ServiceDefinition> = {
  readonly [K in keyof Svc["methods"]]?: ActionHandlerFor<Svc["methods"][K]>;
};

export interface ActionOptions<Svc extends ServiceDefinition> {
  /** The gRPC service this action implements (a ts-proto generic definition). */
  readonly service: Svc;
  readonly commands: ActionHandlers<Svc>;
  /** More types that payloads may carry. */
  readonly types?: readonly CodecLike<unknown>[];
}

/** A stateless action definition, to add to a `CloudstateServer` (spec/action.md). */
export class Action<Svc extends ServiceDefinition = ServiceDefinition> {
  readonly entityType = EntityType.Action;

  constructor(readonly options: ActionOptions<Svc>) {}

  get serviceName(): string {
    return this.options.service.fullName;
  }
}

export type { RequestOf, ResponseOf };
