/** The better-sqlite3 build this Node loads (see driver.ts), for tools that open the file directly. */
export { Database as SqliteDatabase, DRIVER_MODULE as SQLITE_DRIVER_MODULE } from "./driver.js";
export { createSqliteStore, type SqliteStoreOptions } from "./store.js";
