import type { LoginTicketRecord } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";

const TICKET_COLUMNS =
  "hash, user_id AS userId, scope, created_at AS createdAt, expires_at AS expiresAt, credential_version AS credentialVersion";

/** Login tickets: stored by hash, redeemed by one conditional DELETE … RETURNING. */
export function loginTicketOperations(h: SqliteHandle) {
  return {
    createLoginTicket(ticket: LoginTicketRecord): void {
      h.sql(
        `INSERT INTO login_tickets (hash, user_id, scope, created_at, expires_at, credential_version)
         VALUES (@hash, @userId, @scope, @createdAt, @expiresAt, @credentialVersion)`,
      ).run(ticket);
    },

    // One statement is the compare-and-set: the row goes with the first redemption, so a second
    // one (concurrent or later) finds nothing.
    redeemLoginTicket(hash: string, now: number): LoginTicketRecord | null {
      return (
        (h
          .sql(`DELETE FROM login_tickets WHERE hash = ? AND expires_at > ? RETURNING ${TICKET_COLUMNS}`)
          .get(hash, now) as LoginTicketRecord | undefined) ?? null
      );
    },
  };
}
