import type { Queryable } from "./db.js";

/**
 * The DPoP replay cache: one `INSERT … ON CONFLICT` that takes the slot only when it is free or
 * expired. PostgreSQL serialises conflicting inserts on the primary key, so of concurrent calls
 * with one key (from any instance) exactly one gets a row back.
 *
 * @example
 * const first = await rememberDpopJti(db, key, now + 120_000, now);
 */
export async function rememberDpopJti(
  db: Queryable,
  key: string,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO tessera_dpop_jtis (key, expires_at) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
     WHERE tessera_dpop_jtis.expires_at <= $3
     RETURNING 1 AS won`,
    [key, expiresAt, now],
  );
  return rows.length === 1;
}
