import type {
  AccessState,
  ChangeCredentialsInput,
  ChangeCredentialsResult,
  RevocationEvent,
  RevokeUserSessionsInput,
} from "@tessera/core";
import { TesseraError } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { limitOf, REVOCATION_COLUMNS } from "./rows.js";

const INSERT_REVOCATION =
  "INSERT INTO revocation_events (kind, user_id, session_id, epoch, at) VALUES (@kind, @userId, @sessionId, @epoch, @at)";

/** Append one event to the revocation log; call inside the transaction that revokes. */
export function recordRevocation(h: SqliteHandle, event: Omit<RevocationEvent, "cursor">): void {
  h.sql(INSERT_REVOCATION).run(event);
}

/** Revoking sessions and users, the access-state read, and the revocation feed. */
export function revocationOperations(h: SqliteHandle) {
  const revokeSession = h.immediate((sessionId: string, now: number, reason: string): boolean => {
    const revoked = h
      .sql(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL
         RETURNING user_id AS userId`,
      )
      .get(now, reason, sessionId) as { userId: string } | undefined;
    if (!revoked) return false;
    recordRevocation(h, { kind: "session", userId: revoked.userId, sessionId, epoch: null, at: now });
    return true;
  });

  /** Revoke the user's live sessions (but one) and log them with the bumped epoch; in a transaction. */
  const revokeAllOf = (input: RevokeUserSessionsInput, epoch: number): string[] => {
    const revokedSessionIds = h
      .sql(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason
         WHERE user_id = @userId AND revoked_at IS NULL AND id IS NOT @exceptSessionId
         RETURNING id`,
      )
      .pluck()
      .all({
        now: input.now,
        reason: input.reason,
        userId: input.userId,
        exceptSessionId: input.exceptSessionId ?? null,
      }) as string[];
    for (const sessionId of revokedSessionIds) {
      recordRevocation(h, { kind: "session", userId: input.userId, sessionId, epoch: null, at: input.now });
    }
    recordRevocation(h, { kind: "user", userId: input.userId, sessionId: null, epoch, at: input.now });
    return revokedSessionIds;
  };

  const revokeUserSessions = h.immediate((input: RevokeUserSessionsInput) => {
    const bumped = h
      .sql("UPDATE users SET token_epoch = token_epoch + 1 WHERE id = ? RETURNING token_epoch AS epoch")
      .get(input.userId) as { epoch: number } | undefined;
    if (!bumped) throw new TesseraError("not_found", "no such user");
    return { epoch: bumped.epoch, revokedSessionIds: revokeAllOf(input, bumped.epoch) };
  });

  // The credential fence: the new hash, both bumps, the revocations and the deletion of the user's
  // login tickets (but when disabling) commit together, so a login that read the old version can no longer insert its
  // session (sessions.ts).
  const changeCredentials = h.immediate((input: ChangeCredentialsInput): ChangeCredentialsResult | null => {
    const bumped = h
      .sql(
        `UPDATE users SET token_epoch = token_epoch + 1, credential_version = credential_version + 1,
           password_hash = coalesce(@passwordHash, password_hash),
           disabled_at = coalesce(@disabledAt, disabled_at)
         WHERE id = @userId RETURNING token_epoch AS epoch, credential_version AS credentialVersion`,
      )
      .get({
        userId: input.userId,
        passwordHash: input.passwordHash ?? null,
        disabledAt: input.disabledAt ?? null,
      }) as { epoch: number; credentialVersion: number } | undefined;
    if (!bumped) return null;
    // A login ticket made under the old credentials would start a session after the change. A
    // disabled user's tickets stay, refused at redemption with account_disabled.
    if (input.disabledAt === undefined)
      h.sql("DELETE FROM login_tickets WHERE user_id = ?").run(input.userId);
    return { ...bumped, revokedSessionIds: revokeAllOf(input, bumped.epoch) };
  });

  return {
    revokeSession,
    revokeUserSessions,
    changeCredentials,

    getAccessState(userId: string, sessionId: string): AccessState | null {
      // The join is on the user too: another user's session id never reads as live.
      const row = h
        .sql(
          `SELECT u.token_epoch AS tokenEpoch, s.id AS sessionId, s.revoked_at AS revokedAt
           FROM users u LEFT JOIN sessions s ON s.id = @sessionId AND s.user_id = u.id
           WHERE u.id = @userId`,
        )
        .get({ userId, sessionId }) as
        | { tokenEpoch: number; sessionId: string | null; revokedAt: number | null }
        | undefined;
      if (!row) return null;
      return { tokenEpoch: row.tokenEpoch, sessionRevoked: row.sessionId === null || row.revokedAt !== null };
    },

    listRevocations(after: number, limit: number): RevocationEvent[] {
      return h
        .sql(`SELECT ${REVOCATION_COLUMNS} FROM revocation_events WHERE cursor > ? ORDER BY cursor LIMIT ?`)
        .all(after, limitOf(limit, 1000)) as RevocationEvent[];
    },
  };
}
