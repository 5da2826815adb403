import type { SqliteHandle } from "./handle.js";

/**
 * DPoP state: the replay cache (one upsert that only takes a slot that is free or expired) and the
 * binding of a family at a refresh. Each statement itself decides the single winner (SQLite
 * serialises writers).
 */
export function dpopOperations(h: SqliteHandle) {
  return {
    rememberDpopJti(key: string, expiresAt: number, now: number): boolean {
      const result = h
        .sql(
          `INSERT INTO dpop_jtis (key, expires_at) VALUES (@key, @expiresAt)
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
           WHERE dpop_jtis.expires_at <= @now`,
        )
        .run({ key, expiresAt, now });
      return result.changes === 1;
    },

    /** Compare-and-set from an unbound family: the `IS NULL` condition picks the one winner. */
    bindSessionDpop(sessionId: string, jkt: string, now: number): boolean {
      const result = h
        .sql("UPDATE sessions SET dpop_jkt = ?, dpop_bound_at = ? WHERE id = ? AND dpop_jkt IS NULL")
        .run(jkt, now, sessionId);
      return result.changes === 1;
    },
  };
}
