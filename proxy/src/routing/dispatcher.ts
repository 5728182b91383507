import { fromBinary, isMessage, type Message } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { type Any, type cloudstate, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { MethodSpec } from "../discovery/user-spec.js";
import { EmptyKeyError, entityKeyOf } from "../frontend/entity-key.js";
import { type CallError, fail, type ResponseStream } from "./call-result.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "./service-handler.js";

/** A request that cannot be routed: its status says why (spec/protocol-errors.md ERR-41..44). */
export class RoutingError extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
    this.name = "RoutingError";
  }
}

/**
 * Routes calls — from clients, forwards and side effects alike (KEY-15) — to
 * the runtime of the service's entity kind: decodes and checks the request,
 * computes the entity key, and hands over the request as the user function
 * receives it.
 */
export class Dispatcher {
  private readonly handlers = new Map<string, ServiceHandler>();

  constructor(private readonly maxForwardDepth: number) {}

  register(serviceName: string, handler: ServiceHandler): void {
    this.handlers.set(serviceName, handler);
  }

  /** Checks a request for a method and computes its entity key. Throws RoutingError. */
  route(method: MethodSpec, request: Uint8Array, metadata: cloudstate.Metadata | undefined, depth: number): RoutedCall {
    if (depth > this.maxForwardDepth) {
      throw new RoutingError({ code: status.INTERNAL, message: `EFF-13: more than ${this.maxForwardDepth} forwards in a row reached ${method.path}` });
    }
    let key = "";
    let decoded;
    try {
      decoded = fromBinary(method.input, request);
    } catch (error) {
      throw new RoutingError({
        code: status.INVALID_ARGUMENT,
        message: `cannot decode the request as ${method.input.typeName}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    if (method.service.entityType !== EntityType.Action) {
      try {
        key = entityKeyOf(decoded, method.keyFields);
      } catch (error) {
        if (error instanceof EmptyKeyError) throw new RoutingError({ code: status.INVALID_ARGUMENT, message: `${method.path}: ${error.message}` });
        throw error;
      }
    }
    return { method, key, payload: this.pack(method, request, decoded), metadata, depth };
  }

  async unary(method: MethodSpec, request: Uint8Array, metadata: cloudstate.Metadata | undefined, depth = 0): Promise<Answer> {
    let call: RoutedCall;
    try {
      call = this.route(method, request, metadata, depth);
    } catch (error) {
      if (error instanceof RoutingError) return { result: fail(error.error.code, error.error.message), afterReply: NOTHING_AFTER };
      throw error;
    }
    return this.handler(method).unary(call);
  }

  /** Runs a call routed beforehand (event deliveries check the route first, spec/eventing.md EVT-14). */
  unaryRouted(call: RoutedCall): Promise<Answer> {
    return this.handler(call.method).unary(call);
  }

  /** Runs a server-streamed call routed beforehand. */
  serverStreamRouted(call: RoutedCall, out: ResponseStream): void {
    this.handler(call.method).serverStream(call, out);
  }

  serverStream(method: MethodSpec, request: Uint8Array, metadata: cloudstate.Metadata | undefined, out: ResponseStream): void {
    try {
      this.handler(method).serverStream(this.route(method, request, metadata, 0), out);
    } catch (error) {
      if (error instanceof RoutingError) out.end(error.error);
      else throw error;
    }
  }

  clientStream(method: MethodSpec, requests: AsyncIterable<Uint8Array>, metadata: cloudstate.Metadata | undefined): Promise<Answer> {
    return this.handler(method).clientStream({ method, key: "", metadata, depth: 0 }, this.packAll(method, requests));
  }

  bidi(method: MethodSpec, requests: AsyncIterable<Uint8Array>, metadata: cloudstate.Metadata | undefined, out: ResponseStream): void {
    this.handler(method).bidi({ method, key: "", metadata, depth: 0 }, this.packAll(method, requests), out);
  }

  async close(): Promise<void> {
    await Promise.all([...this.handlers.values()].map((h) => h.close()));
  }

  private handler(method: MethodSpec): ServiceHandler {
    const handler = this.handlers.get(method.service.name);
    if (handler === undefined) throw new Error(`no runtime registered for ${method.service.name}`);
    return handler;
  }

  /** The command's payload (ANY-4); for a method taking `google.protobuf.Any`, that Any itself (ANY-21). */
  private pack(method: MethodSpec, request: Uint8Array, decoded: Message): Any {
    if (isMessage(decoded, AnySchema)) return { typeUrl: decoded.typeUrl, value: decoded.value };
    return { typeUrl: method.inputTypeUrl, value: request };
  }

  /** Client-stream messages, each checked before the user function sees it (ERR-44). */
  private async *packAll(method: MethodSpec, requests: AsyncIterable<Uint8Array>): AsyncIterable<Any> {
    for await (const request of requests) {
      let decoded;
      try {
        decoded = fromBinary(method.input, request);
      } catch (error) {
        throw new RoutingError({
          code: status.INVALID_ARGUMENT,
          message: `cannot decode a request message as ${method.input.typeName}: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      yield this.pack(method, request, decoded);
    }
  }
}
