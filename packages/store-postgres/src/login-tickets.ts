import type { LoginTicketRecord } from "@tessera/core";
import type { Db } from "./db.js";

interface TicketRow {
  hash: string;
  user_id: string;
  scope: string | null;
  created_at: number;
  expires_at: number;
  credential_version: number | null;
}

/** Store a login ticket by its hash. */
export async function createLoginTicket(db: Db, ticket: LoginTicketRecord): Promise<void> {
  await db.query(
    `INSERT INTO tessera_login_tickets (hash, user_id, scope, created_at, expires_at, credential_version)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [ticket.hash, ticket.userId, ticket.scope, ticket.createdAt, ticket.expiresAt, ticket.credentialVersion],
  );
}

/**
 * Redeem a ticket with one conditional DELETE … RETURNING: concurrent deletes of one row wait on
 * its lock, and every one after the first finds it gone, so exactly one gets the record.
 */
export async function redeemLoginTicket(
  db: Db,
  hash: string,
  now: number,
): Promise<LoginTicketRecord | null> {
  const [row] = await db.query<TicketRow>(
    `DELETE FROM tessera_login_tickets WHERE hash = $1 AND expires_at > $2
     RETURNING hash, user_id, scope, created_at, expires_at, credential_version`,
    [hash, now],
  );
  return row
    ? {
        hash: row.hash,
        userId: row.user_id,
        scope: row.scope,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        credentialVersion: row.credential_version,
      }
    : null;
}
