// Chooses the storage backend from the proxy's configuration.

import { MemoryStore } from "./memory-store.js";
import { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
import type { Store } from "./store.js";

/** Storage configuration of the proxy. */
export type StoreConfig =
  /** The embedded default: in memory, lost when the proxy stops. */
  | { readonly kind: "memory" }
  /** Durable storage on PostgreSQL; see {@link PostgresStoreOptions}. */
  | ({ readonly kind: "postgres" } & PostgresStoreOptions);

/**
 * Creates the store described by `config`. For PostgreSQL this connects and migrates the schema,
 * and rejects with StoreUnavailableError when the database cannot be reached.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case "memory":
      return new MemoryStore();
    case "postgres":
      return PostgresStore.open(config);
  }
}
