// Public API of the proxy's storage layer.

export {
  ConcurrencyError,
  StoreUnavailableError,
  type EventLogEntry,
  type Store,
  type StoreUnavailableErrorOptions,
  type StoredEvent,
  type StoredSnapshot,
} from "./store.js";
export { MemoryStore } from "./memory-store.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export type { GroupCommitStats } from "./group-commit.js";
export { SCHEMA_VERSION, SchemaTooNewError } from "./postgres-schema.js";
export { createStore, type StoreConfig } from "./store-factory.js";
