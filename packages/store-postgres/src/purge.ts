import type { Db } from "./db.js";

export interface PurgeInput {
  now: number;
  sealedBefore: number;
  revocationsBefore: number;
  auditBefore: number;
}

/** One transaction, so a concurrent reader never sees a half-purged session. */
export async function purge(db: Db, input: PurgeInput): Promise<void> {
  await db.transaction(async (tx) => {
    // Refresh tokens go with their session (ON DELETE CASCADE).
    await tx.query(
      `DELETE FROM tessera_sessions
       WHERE expires_at <= $1 OR (revoked_at IS NOT NULL AND revoked_at < $2)
          OR last_used_at + idle_timeout_ms <= $1`,
      [input.now, input.revocationsBefore],
    );
    await tx.query(
      `UPDATE tessera_refresh_tokens SET successor_sealed = NULL
       WHERE successor_sealed IS NOT NULL AND used_at < $1`,
      [input.sealedBefore],
    );
    await tx.query("DELETE FROM tessera_revocations WHERE at < $1", [input.revocationsBefore]);
    await tx.query("DELETE FROM tessera_audit WHERE at < $1", [input.auditBefore]);
    await tx.query("DELETE FROM tessera_dpop_jtis WHERE expires_at <= $1", [input.now]);
    await tx.query("DELETE FROM tessera_login_tickets WHERE expires_at <= $1", [input.now]);
    await tx.query("DELETE FROM tessera_mail_tokens WHERE expires_at <= $1", [input.now]);
  });
}
