export type { PoolOptions } from "./db.js";
export { createPostgresStore, type PostgresStoreOptions } from "./store.js";
