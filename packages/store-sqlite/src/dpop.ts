import type { SqliteHandle } from "./handle.js";

/**
 * The DPoP replay cache: one upsert that only takes a slot that is free or expired, so the
 * statement itself decides the single winner (SQLite serialises writers).
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
  };
}
