import { TesseraError } from "@tessera/core";
import { Database } from "./driver.js";

// Primary result codes that mean "the database cannot answer" rather than "this request is wrong".
const UNAVAILABLE = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_FULL",
  "SQLITE_NOTADB",
  "SQLITE_CORRUPT",
  "SQLITE_READONLY",
  "SQLITE_PROTOCOL",
  "SQLITE_NOMEM",
  "SQLITE_PERM",
  "SQLITE_AUTH",
  "SQLITE_NOLFS",
]);

/** The error every method answers while the database cannot be reached. */
export function unavailable(cause?: unknown): TesseraError {
  return new TesseraError("store_unavailable", "the SQLite database is unavailable", { cause });
}

/**
 * Map a driver error to the contract: storage failures become `store_unavailable` (readiness
 * checks rely on it); `TesseraError`s and programming errors pass through unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof Database.SqliteError) {
    // Extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT, …) share their primary prefix.
    const primary = error.code.split("_", 2).join("_");
    if (UNAVAILABLE.has(primary)) return unavailable(error);
  }
  return error;
}
