import type { RevocationEvent } from "@tessera/core";
import type { Db, Queryable } from "./db.js";
import { limitOf, type RevocationRow, toRevocation } from "./rows.js";

/**
 * Key of the transaction-scoped advisory lock held while a transaction appends revocation events.
 *
 * Why: an identity column hands out cursors in call order, but transactions commit in any order.
 * Without the lock, transaction A could take cursor 5, B take 6 and commit first; a reader that
 * polled in between would see 6, move its cursor past 5 and never see A's event. Holding this lock
 * from the moment a cursor is drawn until commit makes cursor order equal commit order: a reader
 * that sees cursor n has necessarily been able to see every committed cursor below n. Appending is
 * the last step of each revoking transaction (after its row locks), so the lock is held only for
 * the INSERT and the COMMIT, and it never waits for a row lock while holding it (no deadlock).
 * Readers take no lock.
 */
export const REVOCATION_LOCK_KEY = 0x7e55_e4a1;

export type NewRevocation = Omit<RevocationEvent, "cursor">;

/** Append events in the given order; call it as the last statement of the transaction. */
export async function appendRevocations(tx: Queryable, events: readonly NewRevocation[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query("SELECT pg_advisory_xact_lock($1)", [REVOCATION_LOCK_KEY]);
  await tx.query(
    `INSERT INTO tessera_revocations (kind, user_id, session_id, epoch, at)
     SELECT e.kind, e.user_id, e.session_id, e.epoch, e.at FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY
       AS e(kind, user_id, session_id, epoch, at, n)
     ORDER BY n`,
    [
      events.map((e) => e.kind),
      events.map((e) => e.userId),
      events.map((e) => e.sessionId),
      events.map((e) => e.epoch),
      events.map((e) => e.at),
    ],
  );
}

export async function listRevocations(db: Db, after: number, limit: number): Promise<RevocationEvent[]> {
  const rows = await db.query<RevocationRow>(
    `SELECT cursor, kind, user_id, session_id, epoch, at FROM tessera_revocations
     WHERE cursor > $1 ORDER BY cursor LIMIT $2`,
    [after, limitOf(limit, 1000)],
  );
  return rows.map(toRevocation);
}
