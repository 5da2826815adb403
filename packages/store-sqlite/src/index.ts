export type { SqliteSynchronous } from "./open.js";
export { createSqliteStore, type SqliteStoreOptions } from "./store.js";
