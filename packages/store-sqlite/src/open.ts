import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";

/** Open a connection with the settings every Tessera connection needs. */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ":memory:") {
    // The database holds password hashes and sealed keys: owner-only directory and file. Creating
    // the file first means SQLite's -wal and -shm files inherit its mode.
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
