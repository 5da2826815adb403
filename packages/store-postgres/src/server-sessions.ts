import type { ServerSessionRecord, TouchServerSessionInput, UserRecord } from "@tessera/core";
import type { Db } from "./db.js";
import { SESSION_COLUMNS, type SessionRow, sessionParams, toSession, toUser, type UserRow } from "./rows.js";
import { lockUserAtVersion } from "./sessions.js";

/**
 * A server session behind the login fence of `createSession`: `FOR SHARE` on the user row, so a
 * credential change or deletion that committed first leaves nothing inserted, and one that comes
 * later waits for this commit and then revokes (or deletes) the new session with the others.
 */
export async function createServerSession(
  db: Db,
  session: ServerSessionRecord,
  expectedCredentialVersion: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await lockUserAtVersion(tx, session.userId, expectedCredentialVersion))) return false;
    await tx.query(
      `INSERT INTO tessera_sessions (${SESSION_COLUMNS}, kind, secret_hash, idle_timeout_ms)
       VALUES (${sessionParams(session)
         .map((_, i) => `$${i + 1}`)
         .join(", ")}, 'server', $16, $17)`,
      [
        ...sessionParams({ ...session, dpopJkt: null, dpopBoundAt: null }),
        session.secretHash,
        session.idleTimeoutMs,
      ],
    );
    return true;
  });
}

type ServerSessionRow = SessionRow & { secret_hash: string; idle_timeout_ms: number };

/** One statement: the session by its primary key joined with its user by theirs. */
export async function getServerSession(
  db: Db,
  id: string,
): Promise<{ session: ServerSessionRecord; user: UserRecord } | null> {
  const [row] = await db.query<{ s: ServerSessionRow; u: UserRow }>(
    `SELECT to_jsonb(s) AS s, to_jsonb(u) AS u
     FROM tessera_sessions s JOIN tessera_users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.kind = 'server'`,
    [id],
  );
  if (!row) return null;
  const session: ServerSessionRecord = {
    ...toSession(row.s),
    kind: "server",
    secretHash: row.s.secret_hash,
    idleTimeoutMs: row.s.idle_timeout_ms,
  };
  return { session, user: toUser(row.u) };
}

/** One conditional UPDATE: of concurrent touches within one interval, one writes. */
export async function touchServerSession(db: Db, input: TouchServerSessionInput): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE tessera_sessions SET last_used_at = $2, last_ip = $3, last_user_agent = $4
     WHERE id = $1 AND kind = 'server' AND revoked_at IS NULL AND last_used_at < $5 RETURNING id`,
    [input.sessionId, input.now, input.ip, input.userAgent, input.lastUsedBefore],
  );
  return rows.length === 1;
}
