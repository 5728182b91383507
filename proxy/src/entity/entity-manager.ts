import type { Any } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { ServiceSpec } from "../discovery/user-spec.js";
import { fail, type ResponseStream } from "../routing/call-result.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";
import type { EntityContext } from "./entity-context.js";

/** What the manager needs of an entity runtime. */
export interface ManagedEntity {
  handle(call: RoutedCall): Promise<Answer>;
  handleStream(call: RoutedCall, out: ResponseStream): void;
  shutdown(): Promise<void>;
}

export type EntityFactory<E extends ManagedEntity> = (key: string, passivationTimeoutMs: number, gone: () => void) => E;

/**
 * The entities of one service: one instance per key (KEY-16), created on the
 * first command and dropped once passivated.
 */
export class EntityManager<E extends ManagedEntity> implements ServiceHandler {
  private readonly entities = new Map<string, E>();

  constructor(
    private readonly ctx: EntityContext,
    private readonly service: ServiceSpec,
    private readonly create: EntityFactory<E>,
  ) {}

  get activeEntities(): number {
    return this.entities.size;
  }

  unary(call: RoutedCall): Promise<Answer> {
    return this.entity(call.key).handle(call);
  }

  /** Server-streamed commands: only CRDT services have them (validated at discovery). */
  serverStream(call: RoutedCall, out: ResponseStream): void {
    this.entity(call.key).handleStream(call, out);
  }

  clientStream(call: Omit<RoutedCall, "payload">, _requests: AsyncIterable<Any>): Promise<Answer> {
    return Promise.resolve({ result: fail(status.UNIMPLEMENTED, `${call.method.path} is not a client-streamed method`), afterReply: NOTHING_AFTER });
  }

  bidi(call: Omit<RoutedCall, "payload">, _requests: AsyncIterable<Any>, out: ResponseStream): void {
    out.end({ code: status.UNIMPLEMENTED, message: `${call.method.path} is not a streamed method` });
  }

  private entity(key: string): E {
    let entity = this.entities.get(key);
    if (entity === undefined) {
      const timeout = this.service.passivationTimeoutMs ?? this.ctx.defaultPassivationTimeoutMs;
      const created = this.create(key, timeout, () => {
        if (this.entities.get(key) === created) this.entities.delete(key);
      });
      this.entities.set(key, created);
      entity = created;
    }
    return entity;
  }

  async close(): Promise<void> {
    await Promise.all([...this.entities.values()].map((e) => e.shutdown()));
    this.entities.clear();
  }
}
