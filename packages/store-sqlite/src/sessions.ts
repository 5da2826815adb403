import type { RefreshTokenRecord, SessionRecord } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { INSERT_SESSION, INSERT_TOKEN, SESSION_COLUMNS, TOKEN_COLUMNS } from "./rows.js";

/** Session creation (with its first token) and session/token reads. */
export function sessionOperations(h: SqliteHandle) {
  const getSession = (id: string): SessionRecord | null =>
    (h.sql(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`).get(id) as SessionRecord | undefined) ??
    null;

  const createSession = h.immediate((session: SessionRecord, firstToken: RefreshTokenRecord): void => {
    h.sql(INSERT_SESSION).run(session);
    h.sql(INSERT_TOKEN).run(firstToken);
  });

  const getRefreshToken = h.snapshot((id: string) => {
    const token = h.sql(`SELECT ${TOKEN_COLUMNS} FROM refresh_tokens WHERE id = ?`).get(id) as
      | RefreshTokenRecord
      | undefined;
    if (!token) return null;
    const session = getSession(token.sessionId);
    return session ? { token, session } : null;
  });

  return {
    createSession,
    getSession,
    getRefreshToken,

    listActiveSessions(userId: string, now: number): SessionRecord[] {
      return h
        .sql(
          `SELECT ${SESSION_COLUMNS} FROM sessions
           WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
           ORDER BY created_at DESC, rowid DESC`,
        )
        .all(userId, now) as SessionRecord[];
    },
  };
}
