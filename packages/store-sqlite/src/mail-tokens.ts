import type { MailTokenPurpose, MailTokenRecord } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";

const MAIL_TOKEN_COLUMNS =
  "token_hash AS tokenHash, purpose, user_id AS userId, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt";

/**
 * Password-reset and verification tokens. Issuing supersedes the user's earlier unused tokens of
 * the purpose in the same transaction; redeeming is one conditional UPDATE (SQLite serialises
 * writers), so exactly one of concurrent redemptions changes the row.
 */
export function mailTokenOperations(h: SqliteHandle) {
  const createMailToken = h.immediate((token: MailTokenRecord): void => {
    h.sql("UPDATE mail_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL").run(
      token.createdAt,
      token.userId,
      token.purpose,
    );
    h.sql(
      `INSERT INTO mail_tokens (token_hash, purpose, user_id, created_at, expires_at, used_at)
       VALUES (@tokenHash, @purpose, @userId, @createdAt, @expiresAt, @usedAt)`,
    ).run(token);
  });

  return {
    createMailToken,

    getMailToken(tokenHash: string): MailTokenRecord | null {
      const row = h.sql(`SELECT ${MAIL_TOKEN_COLUMNS} FROM mail_tokens WHERE token_hash = ?`).get(tokenHash);
      return (row as MailTokenRecord | undefined) ?? null;
    },

    redeemMailToken(tokenHash: string, purpose: MailTokenPurpose, now: number): string | null {
      const row = h
        .sql(
          `UPDATE mail_tokens SET used_at = @now
           WHERE token_hash = @tokenHash AND purpose = @purpose AND used_at IS NULL AND expires_at > @now
           RETURNING user_id AS userId`,
        )
        .get({ tokenHash, purpose, now }) as { userId: string } | undefined;
      return row?.userId ?? null;
    },

    setEmailVerified(userId: string): boolean {
      return h.sql("UPDATE users SET email_verified = 1 WHERE id = ?").run(userId).changes === 1;
    },
  };
}
