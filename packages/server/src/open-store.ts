import type { Store } from "@tessera/core";
import { createPostgresStore } from "@tessera/store-postgres";
import { createSqliteStore } from "@tessera/store-sqlite";
import type { DatabaseConfig } from "./config/server-config.js";

/**
 * Opens the store `TESSERA_DATABASE_URL` names (SQLite file or `:memory:`, or PostgreSQL). The
 * caller owns it: run `migrate()` before use and `close()` at the end. `checkpointer: false` leaves
 * a SQLite file's background WAL checkpoints to another process (`tessera serve --workers`).
 *
 * @example
 * const store = openStore(loadConfig(process.env).database);
 * await store.migrate();
 */
export function openStore(database: DatabaseConfig, options: { checkpointer?: boolean } = {}): Store {
  return database.kind === "sqlite"
    ? createSqliteStore({
        path: database.path,
        ...(options.checkpointer === false ? { checkpointer: false } : {}),
        ...(database.synchronous ? { synchronous: database.synchronous } : {}),
      })
    : createPostgresStore({ connectionString: database.connectionString });
}
