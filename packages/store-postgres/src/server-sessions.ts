import type {
  ServerSessionCheck,
  ServerSessionRecord,
  TouchServerSessionInput,
  UserRecord,
} from "@tessera/core";
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
      `INSERT INTO tessera_sessions (${SESSION_COLUMNS}, kind, secret_hash, idle_timeout_ms, remember)
       VALUES (${sessionParams(session)
         .map((_, i) => `$${i + 1}`)
         .join(", ")}, 'server', $16, $17, $18)`,
      [
        ...sessionParams({ ...session, dpopJkt: null, dpopBoundAt: null }),
        session.secretHash,
        session.idleTimeoutMs,
        session.remember,
      ],
    );
    return true;
  });
}

type ServerSessionRow = SessionRow & { secret_hash: string; idle_timeout_ms: number; remember: boolean };

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
    remember: row.s.remember,
  };
  return { session, user: toUser(row.u) };
}

/**
 * What a validation reads, by the two primary keys, as plain columns (no `to_jsonb` of whole
 * rows). No covering index here: the touch and every revocation update these rows, so an index
 * holding `last_used_at` would end their HOT updates, and an index-only scan of often-updated
 * pages visits the heap anyway.
 */
export async function checkServerSession(db: Db, id: string): Promise<ServerSessionCheck | null> {
  const [row] = await db.query<{
    id: string;
    user_id: string;
    secret_hash: string;
    created_at: number;
    expires_at: number;
    last_used_at: number;
    idle_timeout_ms: number;
    revoked_at: number | null;
    email: string;
    roles: string[];
    disabled_at: number | null;
  }>(
    `SELECT s.id, s.user_id, s.secret_hash, s.created_at, s.expires_at, s.last_used_at, s.idle_timeout_ms,
       s.revoked_at, u.email, u.roles, u.disabled_at
     FROM tessera_sessions s JOIN tessera_users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.kind = 'server'`,
    [id],
  );
  if (!row) return null;
  return {
    session: {
      id: row.id,
      userId: row.user_id,
      secretHash: row.secret_hash,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      idleTimeoutMs: row.idle_timeout_ms,
      revokedAt: row.revoked_at,
    },
    user: { id: row.user_id, email: row.email, roles: row.roles, disabledAt: row.disabled_at },
  };
}

/**
 * One conditional UPDATE: of concurrent touches within one interval, one writes. A null ip or
 * user agent keeps the stored one.
 */
export async function touchServerSession(db: Db, input: TouchServerSessionInput): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE tessera_sessions SET last_used_at = $2, last_ip = COALESCE($3, last_ip),
       last_user_agent = COALESCE($4, last_user_agent)
     WHERE id = $1 AND kind = 'server' AND revoked_at IS NULL AND last_used_at < $5 RETURNING id`,
    [input.sessionId, input.now, input.ip, input.userAgent, input.lastUsedBefore],
  );
  return rows.length === 1;
}
