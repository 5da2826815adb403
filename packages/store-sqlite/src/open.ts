import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { Database } from "./driver.js";

/** Open a connection with the settings every Tessera connection needs. */
export function openDatabase(path: string, busyTimeoutMs: number): BetterSqlite3.Database {
  if (path !== ":memory:") {
    // The database holds password hashes and sealed keys: owner-only directory and file. Creating
    // the file first means SQLite's -wal and -shm files inherit its mode.
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    useWal(db, busyTimeoutMs);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Milliseconds between attempts to switch a busy database into WAL mode. */
const WAL_RETRY_MS = 10;

/**
 * Switch to WAL once per database file (the mode persists in the file). Seen once in CI: of six
 * processes opening one fresh file at once (`migrations.test.ts`), one got SQLITE_BUSY from this
 * pragma despite the busy timeout; a reader holding a lock alone does not reproduce it, so the
 * switch is simply retried within the busy timeout (and skipped when the file is already WAL).
 */
function useWal(db: BetterSqlite3.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      if (db.pragma("journal_mode", { simple: true }) === "wal") return;
      db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      // Opening is synchronous in better-sqlite3; a short blocking pause keeps it so.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_MS);
    }
  }
}
