import { EntityType } from "@cloudstate/protocol";
import { ActionRuntime } from "../action/action-runtime.js";
import type { ReplicatedCrdt } from "../crdt/index.js";
import { CrdtEntity } from "../crdt-entity/crdt-entity.js";
import type { ServiceSpec } from "../discovery/user-spec.js";
import type { EntityContext } from "../entity/entity-context.js";
import { EntityManager } from "../entity/entity-manager.js";
import { EventSourcedEntity } from "../eventsourced/event-sourced-entity.js";
import { ValueEntity } from "../valueentity/value-entity.js";
import type { ServiceHandler } from "./service-handler.js";

/**
 * CRDT values by (persistence id, key) (KEY-20): the proxy keeps them across
 * passivation and user-function restarts, in memory (spec/crdt.md §9).
 */
export class CrdtValues {
  private readonly values = new Map<string, ReplicatedCrdt>();

  holder(persistenceId: string, key: string) {
    const id = `${persistenceId}\u0000${key}`;
    return {
      get: () => this.values.get(id),
      set: (value: ReplicatedCrdt | undefined) => {
        if (value === undefined) this.values.delete(id);
        else this.values.set(id, value);
      },
    };
  }
}

/** The runtime that serves a service, by its entity kind. */
export function runtimeFor(ctx: EntityContext, service: ServiceSpec, crdtValues: CrdtValues): ServiceHandler {
  switch (service.entityType) {
    case EntityType.EventSourced:
      return new EntityManager(ctx, service, (key, timeout, gone) => new EventSourcedEntity(ctx, service.name, key, timeout, gone));
    case EntityType.ValueEntity:
      return new EntityManager(ctx, service, (key, timeout, gone) => new ValueEntity(ctx, service.name, key, timeout, gone));
    case EntityType.Crdt:
      return new EntityManager(ctx, service, (key, timeout, gone) => new CrdtEntity(ctx, service.name, key, timeout, gone, crdtValues.holder(service.persistenceId, key)));
    case EntityType.Action:
      return new ActionRuntime(ctx, service);
  }
}
