import {
  type AccessState,
  type ChangeCredentialsInput,
  type ChangeCredentialsResult,
  type RefreshTokenRecord,
  type RevokeUserSessionsInput,
  type SessionRecord,
  TesseraError,
} from "@tessera/core";
import type { Db, Queryable } from "./db.js";
import { appendRevocations } from "./revocations.js";
import {
  type RefreshTokenRow,
  SESSION_COLUMNS,
  SESSION_READ_COLUMNS,
  type SessionRow,
  sessionParams,
  TOKEN_COLUMNS,
  tokenParams,
  toSession,
  toToken,
} from "./rows.js";

const SESSION_VALUES = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15";
const TOKEN_VALUES = "$1, $2, $3, $4, $5, $6, $7, $8";

/**
 * The fence of a login. `FOR SHARE` on the user row conflicts with the row lock of a credential
 * change or deletion: one that committed first is seen (READ COMMITTED re-checks a row changed
 * since the snapshot against its newest version), so the version no longer matches or the row is
 * gone and nothing is inserted; one that comes later waits for this commit, then revokes (or
 * deletes) the new session with the others.
 */
export async function createSession(
  db: Db,
  session: SessionRecord,
  firstToken: RefreshTokenRecord,
  expectedCredentialVersion: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await lockUserAtVersion(tx, session.userId, expectedCredentialVersion))) return false;
    await tx.query(
      `INSERT INTO tessera_sessions (${SESSION_COLUMNS}) VALUES (${SESSION_VALUES})`,
      sessionParams(session),
    );
    await tx.query(
      `INSERT INTO tessera_refresh_tokens (${TOKEN_COLUMNS}) VALUES (${TOKEN_VALUES})`,
      tokenParams(firstToken),
    );
    return true;
  });
}

/**
 * The fence's lock: `FOR SHARE` on the user row, only while it has `expectedCredentialVersion`.
 * False when it has another version or is gone (insert nothing then).
 */
export async function lockUserAtVersion(
  tx: Queryable,
  userId: string,
  expectedCredentialVersion: number,
): Promise<boolean> {
  const [current] = await tx.query<{ id: string }>(
    "SELECT id FROM tessera_users WHERE id = $1 AND credential_version = $2 FOR SHARE",
    [userId, expectedCredentialVersion],
  );
  return current !== undefined;
}

export async function getSession(db: Db, id: string): Promise<SessionRecord | null> {
  const [row] = await db.query<SessionRow>(
    `SELECT ${SESSION_READ_COLUMNS} FROM tessera_sessions WHERE id = $1`,
    [id],
  );
  return row ? toSession(row) : null;
}

export async function listActiveSessions(db: Db, userId: string, now: number): Promise<SessionRecord[]> {
  const rows = await db.query<SessionRow>(
    `SELECT ${SESSION_READ_COLUMNS} FROM tessera_sessions
     WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
       AND (idle_timeout_ms IS NULL OR last_used_at + idle_timeout_ms > $2)
     ORDER BY created_at DESC, id DESC`,
    [userId, now],
  );
  return rows.map(toSession);
}

export async function getRefreshToken(
  db: Db,
  id: string,
): Promise<{ token: RefreshTokenRecord; session: SessionRecord } | null> {
  // to_jsonb keeps each row's columns apart without aliasing every one of them; BIGINTs become
  // JSON numbers, exact below 2^53.
  const [row] = await db.query<{ t: RefreshTokenRow; s: SessionRow }>(
    `SELECT to_jsonb(t) AS t, to_jsonb(s) AS s
     FROM tessera_refresh_tokens t JOIN tessera_sessions s ON s.id = t.session_id
     WHERE t.id = $1`,
    [id],
  );
  return row ? { token: toToken(row.t), session: toSession(row.s) } : null;
}

export async function revokeSession(
  db: Db,
  sessionId: string,
  now: number,
  reason: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ user_id: string }>(
      `UPDATE tessera_sessions SET revoked_at = $2, revoked_reason = $3
       WHERE id = $1 AND revoked_at IS NULL RETURNING user_id`,
      [sessionId, now, reason],
    );
    if (!row) return false;
    await appendRevocations(tx, [{ kind: "session", userId: row.user_id, sessionId, epoch: null, at: now }]);
    return true;
  });
}

/** Revoke the user's live sessions (but one) and log them with the bumped epoch; in a transaction. */
async function revokeAllOf(tx: Queryable, input: RevokeUserSessionsInput, epoch: number): Promise<string[]> {
  const revoked = await tx.query<{ id: string }>(
    `UPDATE tessera_sessions SET revoked_at = $2, revoked_reason = $3
     WHERE user_id = $1 AND revoked_at IS NULL AND ($4::text IS NULL OR id <> $4)
     RETURNING id`,
    [input.userId, input.now, input.reason, input.exceptSessionId ?? null],
  );
  const revokedSessionIds = revoked.map((r) => r.id).sort();
  await appendRevocations(tx, [
    ...revokedSessionIds.map((sessionId) => ({
      kind: "session" as const,
      userId: input.userId,
      sessionId,
      epoch: null,
      at: input.now,
    })),
    { kind: "user", userId: input.userId, sessionId: null, epoch, at: input.now },
  ]);
  return revokedSessionIds;
}

/**
 * Bump the epoch first: the row lock it takes on the user serialises concurrent calls for the
 * same user, so two logout-alls yield two distinct, ordered epochs.
 */
export async function revokeUserSessions(
  db: Db,
  input: RevokeUserSessionsInput,
): Promise<{ epoch: number; revokedSessionIds: string[] }> {
  return db.transaction(async (tx) => {
    const [bumped] = await tx.query<{ token_epoch: number }>(
      "UPDATE tessera_users SET token_epoch = token_epoch + 1 WHERE id = $1 RETURNING token_epoch",
      [input.userId],
    );
    if (!bumped) throw new TesseraError("not_found", "no such user");
    return { epoch: bumped.token_epoch, revokedSessionIds: await revokeAllOf(tx, input, bumped.token_epoch) };
  });
}

/**
 * The credential fence. The user UPDATE comes first: it waits for any login holding the row
 * `FOR SHARE` (createSession) to commit, and the session UPDATE after it, a new statement, then
 * sees and revokes that login's session. Logins that lock the row after this commit find the
 * version changed and insert nothing.
 */
export async function changeCredentials(
  db: Db,
  input: ChangeCredentialsInput,
): Promise<ChangeCredentialsResult | null> {
  return db.transaction(async (tx) => {
    const [bumped] = await tx.query<{ token_epoch: number; credential_version: number }>(
      `UPDATE tessera_users
          SET token_epoch = token_epoch + 1, credential_version = credential_version + 1,
              password_hash = coalesce($2, password_hash),
              disabled_at = coalesce($3, disabled_at)
        WHERE id = $1 RETURNING token_epoch, credential_version`,
      [input.userId, input.passwordHash ?? null, input.disabledAt ?? null],
    );
    if (!bumped) return null;
    // A login ticket made under the old credentials would start a session after the change. A
    // disabled user's tickets stay, refused at redemption with account_disabled.
    if (input.disabledAt === undefined) {
      await tx.query("DELETE FROM tessera_login_tickets WHERE user_id = $1", [input.userId]);
    }
    return {
      epoch: bumped.token_epoch,
      credentialVersion: bumped.credential_version,
      revokedSessionIds: await revokeAllOf(tx, input, bumped.token_epoch),
    };
  });
}

export async function getAccessState(db: Db, userId: string, sessionId: string): Promise<AccessState | null> {
  const [row] = await db.query<{ token_epoch: number; session_live: boolean }>(
    `SELECT u.token_epoch,
            EXISTS (SELECT 1 FROM tessera_sessions s
                    WHERE s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL) AS session_live
     FROM tessera_users u WHERE u.id = $1`,
    [userId, sessionId],
  );
  return row ? { tokenEpoch: row.token_epoch, sessionRevoked: !row.session_live } : null;
}
