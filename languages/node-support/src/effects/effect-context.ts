import type { Any, cloudstate } from "@cloudstate/protocol";
import { AnySupport, type CodecLike, toCodec } from "../any/any-support.js";
import { Metadata } from "./metadata.js";
import {
  failureOutcome,
  type FailureOutcome,
  forwardOutcome,
  type ForwardOutcome,
  noReplyOutcome,
  type NoReplyOutcome,
  replyOutcome,
  type ReplyOutcome,
} from "./outcome.js";
import { findMethod, type RequestOf, type ServiceDefinition } from "./service-definition.js";

/** A side effect requested by a handler (spec/effects.md). */
export interface SideEffectRequest {
  /** Fully qualified name of the service to call (spec/effects.md EFF-7). */
  readonly serviceName: string;
  /** Protobuf name of the method to call, e.g. `AddItem`. */
  readonly commandName: string;
  /** The request, packed as the method's input type (spec/payloads.md ANY-19). */
  readonly payload: Any;
  /** Whether the proxy completes the call before answering the caller (EFF-24, EFF-25). */
  readonly synchronous: boolean;
  /** Metadata sent as the call's request headers; undefined for none. */
  readonly metadata: Metadata | undefined;
}

/** Options of a side effect or forward. */
export interface CallOptions {
  /** Side effects only: complete before the caller is answered. Default false. */
  readonly synchronous?: boolean;
  /** Metadata sent with the call as its request headers; the command's own metadata is not passed on (spec/effects.md EFF-10). */
  readonly metadata?: Metadata;
}

/**
 * What every handler context offers, whatever the entity kind: the incoming
 * metadata, and ways to answer (reply, forward, fail) and to add side effects.
 */
export class EffectContext<Res> {
  private readonly effects: SideEffectRequest[] = [];

  constructor(
    protected readonly anySupport: AnySupport,
    /** Metadata that came with the command (for gRPC: request headers). */
    readonly metadata: Metadata,
  ) {}

  /** Reply with a message, optionally with reply metadata (spec/metadata.md). */
  reply(message: Res, metadata?: Metadata): ReplyOutcome<Res> {
    return replyOutcome(message, metadata);
  }

  /** Hand the command to another service method; its answer becomes the caller's (spec/effects.md). */
  forward<S extends ServiceDefinition, K extends keyof S["methods"] & string>(
    service: S,
    method: K,
    request: RequestOf<S["methods"][K]>,
    options: CallOptions = {},
  ): ForwardOutcome {
    const target = resolve(service, method);
    return forwardOutcome(service.fullName, target.name, this.anySupport.pack(target.codec, request), options.metadata);
  }

  /**
   * Fail the command: the caller gets an error with this description, and
   * nothing else the command did takes effect (spec/effects.md).
   */
  fail(description: string): FailureOutcome {
    return failureOutcome(description);
  }

  /** Answer nothing (only where the protocol allows: actions, streamed CRDT commands). */
  noReply(): NoReplyOutcome {
    return noReplyOutcome();
  }

  /** Ask the proxy to call another service method once this command has taken effect (spec/effects.md). */
  effect<S extends ServiceDefinition, K extends keyof S["methods"] & string>(
    service: S,
    method: K,
    request: RequestOf<S["methods"][K]>,
    options: CallOptions = {},
  ): void {
    const target = resolve(service, method);
    this.effects.push({
      serviceName: service.fullName,
      commandName: target.name,
      payload: this.anySupport.pack(target.codec, request),
      synchronous: options.synchronous ?? false,
      metadata: options.metadata,
    });
  }

  /** Same as `effect`, for a payload packed by hand (e.g. JSON or a type without a definition). */
  effectRaw(serviceName: string, commandName: string, payload: Any, options: CallOptions = {}): void {
    this.effects.push({ serviceName, commandName, payload, synchronous: options.synchronous ?? false, metadata: options.metadata });
  }

  /** Pack a value with a codec (for `effectRaw` and hand-built forwards). */
  pack<T>(type: CodecLike<T>, value: T): Any {
    return this.anySupport.pack(toCodec(type), value);
  }

  /** @internal The side effects requested so far, in protocol form; clears them. */
  takeSideEffects(): cloudstate.SideEffect[] {
    const taken = this.effects.splice(0, this.effects.length);
    return taken.map((e) => ({
      serviceName: e.serviceName,
      commandName: e.commandName,
      payload: e.payload,
      synchronous: e.synchronous,
      metadata: e.metadata?.toProtocol(),
    }));
  }

  /** @internal Drop requested side effects (a failed entity command has none, spec/effects.md). */
  discardSideEffects(): void {
    this.effects.length = 0;
  }
}

function resolve(service: ServiceDefinition, method: string) {
  const target = findMethod(service, method);
  if (target === undefined) throw new Error(`service ${service.fullName} has no method ${method}`);
  return { name: target.name, codec: toCodec(target.requestType) };
}

export { Metadata };
