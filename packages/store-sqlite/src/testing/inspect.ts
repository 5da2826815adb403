import { openDatabase } from "../open.js";

/** What a fault test checks in a database file after the server that wrote it is gone. */
export interface SqliteInspection {
  /** `PRAGMA integrity_check`: `["ok"]` for a sound file, else SQLite's list of problems. */
  integrity: string[];
  /** Sessions holding more than one unused refresh token (a fork of the rotation chain). */
  forkedSessions: string[];
  /** Sessions in the file. */
  sessions: number;
}

/**
 * Opens a Tessera SQLite file (no server may be writing it), runs the integrity check and counts
 * the unused refresh tokens of every session.
 *
 * @example
 * const report = inspectSqliteFile(path);
 * expect(report.integrity).toEqual(["ok"]);
 */
export function inspectSqliteFile(path: string): SqliteInspection {
  const db = openDatabase(path, 5_000);
  try {
    const integrity = (db.pragma("integrity_check") as Array<{ integrity_check: string }>).map(
      (row) => row.integrity_check,
    );
    const forked = db
      .prepare(
        "SELECT session_id FROM refresh_tokens WHERE used_at IS NULL GROUP BY session_id HAVING COUNT(*) > 1",
      )
      .pluck()
      .all() as string[];
    const sessions = db.prepare("SELECT COUNT(*) FROM sessions").pluck().get() as number;
    return { integrity, forkedSessions: forked, sessions };
  } finally {
    db.close();
  }
}
