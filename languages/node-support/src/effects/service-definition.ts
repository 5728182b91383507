import type { Any } from "@cloudstate/protocol";
import { typeNameOf } from "../any/codec.js";
import type { MessageType } from "../any/message-codec.js";

/**
 * A method of a ts-proto generic service definition
 * (generated with `outputServices=generic-definitions`).
 */
export interface MethodDefinition<Req = unknown, Res = unknown> {
  readonly name: string;
  readonly requestType: MessageType<Req>;
  readonly requestStream: boolean;
  readonly responseType: MessageType<Res>;
  readonly responseStream: boolean;
}

/** A ts-proto generic service definition: typed methods keyed by their camelCase name. */
export interface ServiceDefinition {
  readonly name: string;
  readonly fullName: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method has its own message types; `any` lets a specific definition be assignable
  readonly methods: Readonly<Record<string, MethodDefinition<any, any>>>;
}

export type MethodsOf<S extends ServiceDefinition> = S["methods"];
export type RequestOf<M> = M extends MethodDefinition<infer Req> ? Req : never;
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
 * Decodes a command's payload as the method's input type. Throws when the
 * payload names another type (spec/commands.md CMD-36, spec/protocol-errors.md
 * ERR-39: a payload of the wrong type cannot be decoded as the input type) or
 * its bytes do not decode. Methods typed `google.protobuf.Any` take any type.
 */
export function decodeRequest(method: MethodDefinition, payload: Any | undefined): unknown {
  const expected = method.requestType.$type;
  if (payload !== undefined && expected !== undefined && expected !== "google.protobuf.Any") {
    const actual = typeNameOf(payload.typeUrl);
    if (actual !== expected) throw new Error(`payload of type ${actual} is not ${expected}`);
  }
  return method.requestType.decode(payload?.value ?? new Uint8Array());
}
