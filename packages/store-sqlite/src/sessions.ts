import type { RefreshTokenRecord, SessionRecord } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import {
  INSERT_SESSION_IF_CURRENT,
  INSERT_TOKEN,
  SESSION_COLUMNS,
  type TokenSessionRow,
  tokenAndSessionFromRow,
} from "./rows.js";

/** Session creation (with its first token) and session/token reads. */
export function sessionOperations(h: SqliteHandle) {
  const getSession = (id: string): SessionRecord | null =>
    (h.sql(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`).get(id) as SessionRecord | undefined) ??
    null;

  // The fence of a login: the session is inserted only while its user exists with the credential
  // version the login read before checking the password. The check and the insert are one
  // statement in an IMMEDIATE transaction: no credential change or deletion commits between them.
  const createSession = h.immediate(
    (session: SessionRecord, firstToken: RefreshTokenRecord, expectedCredentialVersion: number): boolean => {
      const inserted = h.sql(INSERT_SESSION_IF_CURRENT).run({ ...session, expectedCredentialVersion });
      if (inserted.changes === 0) return false;
      h.sql(INSERT_TOKEN).run(firstToken);
      return true;
    },
  );

  // One statement is atomic on its own: no BEGIN/COMMIT around two reads. Raw rows keep the
  // two tables' same-named columns (id, created_at, …) apart.
  const TOKEN_WITH_SESSION = `SELECT t.id, t.session_id, t.secret_hash, t.created_at, t.expires_at, t.used_at,
    t.successor_id, t.successor_sealed, s.id, s.user_id, s.client_id, s.scope, s.created_at, s.expires_at,
    s.last_used_at, s.revoked_at, s.revoked_reason, s.ip, s.user_agent, s.last_ip, s.last_user_agent, s.dpop_jkt,
    s.dpop_bound_at, s.kind FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?`;
  const getRefreshToken = (id: string): { token: RefreshTokenRecord; session: SessionRecord } | null => {
    const row = h.sql(TOKEN_WITH_SESSION).raw(true).get(id) as TokenSessionRow | undefined;
    return row ? tokenAndSessionFromRow(row) : null;
  };

  return {
    createSession,
    getSession,
    getRefreshToken,

    listActiveSessions(userId: string, now: number): SessionRecord[] {
      return h
        .sql(
          `SELECT ${SESSION_COLUMNS} FROM sessions
           WHERE user_id = @userId AND revoked_at IS NULL AND expires_at > @now
             AND (idle_timeout_ms IS NULL OR last_used_at + idle_timeout_ms > @now)
           ORDER BY created_at DESC, rowid DESC`,
        )
        .all({ userId, now }) as SessionRecord[];
    },
  };
}
