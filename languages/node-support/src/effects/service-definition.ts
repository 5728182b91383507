import type { Any } from "@cloudstate/protocol";
import type { MessageType } from "../any/message-codec.js";
import { decodeMethodPayload } from "../any/method-payload.js";

/**
 * A method of a ts-proto generic service definition
 * (generated with `outputServices=generic-definitions`).
 */
export interface MethodDefinition<Req = unknown, Res = unknown> {
  /** The method's protobuf name, e.g. `AddItem`: the name in commands, forwards and side effects. */
  readonly name: string;
  /** The generated input message type. */
  readonly requestType: MessageType<Req>;
  /** Whether the client sends a stream of requests. */
  readonly requestStream: boolean;
  /** The generated output message type. */
  readonly responseType: MessageType<Res>;
  /** Whether the server answers with a stream of responses. */
  readonly responseStream: boolean;
}

/** A ts-proto generic service definition: typed methods keyed by their camelCase name. */
export interface ServiceDefinition {
  /** The service's simple name, e.g. `ShoppingCart`. */
  readonly name: string;
  /** The fully qualified name, e.g. `com.example.shoppingcart.ShoppingCart`, by which the proxy addresses the service. */
  readonly fullName: string;
  /** The methods, keyed by their lowerCamelCase name (`addItem`), the keys that handlers use. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method has its own message types; `any` lets a specific definition be assignable
  readonly methods: Readonly<Record<string, MethodDefinition<any, any>>>;
}

export type MethodsOf<S extends ServiceDefinition> = S["methods"];
/** The request message type of a method definition. */
export type RequestOf<M> = M extends MethodDefinition<infer Req> ? Req : never;
/** The response message type of a method definition. */
export type ResponseOf<M> = M extends MethodDefinition<unknown, infer Res> ? Res : never;

/** Finds a method by its protobuf name (`AddItem`) or its definition key (`addItem`). */
export function findMethod(service: ServiceDefinition, name: string): MethodDefinition | undefined {
  for (const [key, method] of Object.entries(service.methods)) {
    if (method.name === name || key === name) return method as MethodDefinition;
  }
  return undefined;
}

/** The method called `name` (protobuf name, e.g. `AddItem`) and the handler registered for it. */
export function resolveHandler<H>(
  service: ServiceDefinition,
  handlers: Readonly<Record<string, H | undefined>>,
  name: string,
): { method: MethodDefinition; handler: H } | undefined {
  for (const [key, method] of Object.entries(service.methods)) {
    if (method.name !== name) continue;
    const handler = handlers[key];
    return handler === undefined ? undefined : { method: method as MethodDefinition, handler };
  }
  return undefined;
}

/**
 * Decodes an entity command's payload as the method's input type, exactly as
 * an action's (decodeMethodPayload). Throws when the payload names another
 * type or uses a reserved prefix, primitive or JSON (spec/commands.md CMD-36,
 * spec/payloads.md ANY-9, spec/protocol-errors.md ERR-39), or when its bytes
 * do not decode. Methods typed `google.protobuf.Any` take the Any itself.
 */
export function decodeRequest(method: MethodDefinition, payload: Any | undefined): unknown {
  return decodeMethodPayload(method.requestType, payload);
}
