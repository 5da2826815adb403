import type { Store } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";

type PurgeInput = Parameters<Store["purge"]>[0];

/** Housekeeping: every deletion of one purge commits together. */
export function purgeOperation(h: SqliteHandle) {
  const purge = h.immediate((input: PurgeInput): void => {
    // Refresh tokens go with their sessions (ON DELETE CASCADE).
    // A server session idle past its idle timeout is as dead as an expired one.
    h.sql(
      `DELETE FROM sessions WHERE expires_at <= @now OR revoked_at < @revocationsBefore
       OR last_used_at + idle_timeout_ms <= @now`,
    ).run({
      now: input.now,
      revocationsBefore: input.revocationsBefore,
    });
    // Only the sealed successor goes: the used mark and the link stay, so reuse is still detected.
    h.sql(
      "UPDATE refresh_tokens SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL AND used_at < ?",
    ).run(input.sealedBefore);
    h.sql("DELETE FROM revocation_events WHERE at < ?").run(input.revocationsBefore);
    h.sql("DELETE FROM audit_events WHERE at < ?").run(input.auditBefore);
    h.sql("DELETE FROM dpop_jtis WHERE expires_at <= ?").run(input.now);
    h.sql("DELETE FROM login_tickets WHERE expires_at <= ?").run(input.now);
    h.sql("DELETE FROM mail_tokens WHERE expires_at <= ?").run(input.now);
  });
  return { purge };
}
