import type { MailTokenPurpose, MailTokenRecord } from "@tessera/core";
import type { Db } from "./db.js";

interface MailTokenRow {
  token_hash: string;
  purpose: MailTokenPurpose;
  user_id: string;
  created_at: string | number;
  expires_at: string | number;
  used_at: string | number | null;
}

const COLUMNS = "token_hash, purpose, user_id, created_at, expires_at, used_at";

/** Issue a token; the user's earlier unused tokens of the purpose are superseded in the same transaction. */
export async function createMailToken(db: Db, token: MailTokenRecord): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      "UPDATE tessera_mail_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
      [token.userId, token.purpose, token.createdAt],
    );
    await tx.query(`INSERT INTO tessera_mail_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
      token.tokenHash,
      token.purpose,
      token.userId,
      token.createdAt,
      token.expiresAt,
      token.usedAt,
    ]);
  });
}

export async function getMailToken(db: Db, tokenHash: string): Promise<MailTokenRecord | null> {
  const [row] = await db.query<MailTokenRow>(
    `SELECT ${COLUMNS} FROM tessera_mail_tokens WHERE token_hash = $1`,
    [tokenHash],
  );
  if (!row) return null;
  return {
    tokenHash: row.token_hash,
    purpose: row.purpose,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  };
}

/**
 * One conditional UPDATE: concurrent redemptions of one token serialise on its row, and the
 * losers re-check `used_at IS NULL` after the winner commits, so exactly one gets a row back.
 */
export async function redeemMailToken(
  db: Db,
  tokenHash: string,
  purpose: MailTokenPurpose,
  now: number,
): Promise<string | null> {
  const [row] = await db.query<{ user_id: string }>(
    `UPDATE tessera_mail_tokens SET used_at = $3
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
     RETURNING user_id`,
    [tokenHash, purpose, now],
  );
  return row?.user_id ?? null;
}

export async function setEmailVerified(db: Db, userId: string): Promise<boolean> {
  const rows = await db.query("UPDATE tessera_users SET email_verified = TRUE WHERE id = $1 RETURNING id", [
    userId,
  ]);
  return rows.length === 1;
}
