import type { EntityType } from "@cloudstate/protocol";

/** What discovery needs to know of every entity or action a server hosts. */
export interface Component {
  readonly entityType: EntityType;
  readonly serviceName: string;
  readonly persistenceId: string;
  readonly passivationTimeoutMs?: number | undefined;
}
