import type { DescField, DescMessage, DescService, FileRegistry } from "@bufbuild/protobuf";
import type { cloudstate, EntityType } from "@cloudstate/protocol";

/** How a method is called (gRPC streaming shape). */
export type CallShape = "unary" | "client_streaming" | "server_streaming" | "bidi_streaming";

/** A user method the proxy serves. */
export interface MethodSpec {
  /** Protobuf method name, e.g. `AddItem`. */
  readonly name: string;
  /** HTTP/2 path, `/package.Service/Method`. */
  readonly path: string;
  readonly shape: CallShape;
  readonly input: DescMessage;
  readonly output: DescMessage;
  /** Type URL under which requests are packed for the user function (spec/payloads.md). */
  readonly inputTypeUrl: string;
  /** Entity key fields in field-number order (entities only; spec/entity-keys.md). */
  readonly keyFields: readonly DescField[];
  readonly service: ServiceSpec;
}

/** A user service the proxy serves, with the entity kind that implements it. */
export interface ServiceSpec {
  readonly name: string;
  readonly entityType: EntityType;
  /** Storage namespace; for CRDTs without one, the service name (KEY-20). */
  readonly persistenceId: string;
  /** From the user function's passivation strategy, when it gave one. */
  readonly passivationTimeoutMs: number | undefined;
  readonly methods: ReadonlyMap<string, MethodSpec>;
  readonly descriptor: DescService;
}

/**
 * A consumer group of an event-log source: the methods of one service that name the same group
 * and the same persistence id in their `(cloudstate.eventing)` option (spec/eventing.md §1).
 */
export interface ConsumerGroupSpec {
  /** The `consumer_group` value, or the service's fully qualified name when it is empty. */
  readonly name: string;
  /** The persistence id whose event log the group consumes (`in.event_log`). */
  readonly persistenceId: string;
  readonly service: ServiceSpec;
  /** The subscribed methods, in declaration order; their input types differ (EVT-4). */
  readonly methods: readonly MethodSpec[];
}

/** What the proxy serves after a successful, validated discovery. */
export interface UserSpec {
  readonly services: ReadonlyMap<string, ServiceSpec>;
  /** The consumer groups to run (spec/eventing.md); absent or empty when no method subscribes. */
  readonly consumerGroups?: readonly ConsumerGroupSpec[];
  /** The user function's descriptors, for decoding requests and for server reflection. */
  readonly registry: FileRegistry;
  /** The serialized FileDescriptorSet exactly as discovered. */
  readonly descriptorSet: Uint8Array;
  readonly serviceInfo: cloudstate.ServiceInfo | undefined;
}

export function findMethod(spec: UserSpec, serviceName: string, methodName: string): MethodSpec | undefined {
  return spec.services.get(serviceName)?.methods.get(methodName);
}
