import type { ServerSessionRecord, TouchServerSessionInput, UserRecord } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { toUser, type UserRow } from "./rows.js";

/** Binds a `ServerSessionRecord` plus `expectedCredentialVersion`: the login fence of `createSession`. */
const INSERT_SERVER_SESSION_IF_CURRENT = `INSERT INTO sessions (id, kind, user_id, client_id, scope, created_at,
  expires_at, last_used_at, revoked_at, revoked_reason, ip, user_agent, last_ip, last_user_agent, dpop_jkt,
  secret_hash, idle_timeout_ms)
  SELECT @id, 'server', u.id, @clientId, @scope, @createdAt, @expiresAt, @lastUsedAt, @revokedAt,
  @revokedReason, @ip, @userAgent, @lastIp, @lastUserAgent, NULL, @secretHash, @idleTimeoutMs
  FROM users u WHERE u.id = @userId AND u.credential_version = @expectedCredentialVersion`;

// One statement: the session by its primary key, its user by theirs. Every column is aliased
// apart (`s_…`, `u_…`), since both tables have id and created_at.
const SERVER_SESSION_WITH_USER = `SELECT s.id AS s_id, s.user_id AS s_userId, s.client_id AS s_clientId,
  s.scope AS s_scope, s.created_at AS s_createdAt, s.expires_at AS s_expiresAt, s.last_used_at AS s_lastUsedAt,
  s.revoked_at AS s_revokedAt, s.revoked_reason AS s_revokedReason, s.ip AS s_ip, s.user_agent AS s_userAgent,
  s.last_ip AS s_lastIp, s.last_user_agent AS s_lastUserAgent, s.secret_hash AS s_secretHash,
  s.idle_timeout_ms AS s_idleTimeoutMs,
  u.id, u.email, u.password_hash AS passwordHash, u.created_at AS createdAt, u.token_epoch AS tokenEpoch,
  u.credential_version AS credentialVersion, u.roles, u.disabled_at AS disabledAt,
  u.email_verified AS emailVerified
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.kind = 'server'`;

type Prefixed<T, P extends string> = { [K in keyof T as `${P}${K & string}`]: T[K] };
type Row = UserRow & Prefixed<Omit<ServerSessionRecord, "kind" | "dpopJkt" | "dpopBoundAt">, "s_">;

/** Server sessions: creation behind the login fence, the one-read lookup, and last-use writes. */
export function serverSessionOperations(h: SqliteHandle) {
  return {
    createServerSession(session: ServerSessionRecord, expectedCredentialVersion: number): boolean {
      const { kind: _kind, dpopBoundAt: _bound, ...fields } = session;
      return (
        h.sql(INSERT_SERVER_SESSION_IF_CURRENT).run({ ...fields, expectedCredentialVersion }).changes === 1
      );
    },

    getServerSession(id: string): { session: ServerSessionRecord; user: UserRecord } | null {
      const row = h.sql(SERVER_SESSION_WITH_USER).get(id) as Row | undefined;
      if (row === undefined) return null;
      const session: ServerSessionRecord = {
        id: row.s_id,
        kind: "server",
        userId: row.s_userId,
        clientId: row.s_clientId,
        scope: row.s_scope,
        createdAt: row.s_createdAt,
        expiresAt: row.s_expiresAt,
        lastUsedAt: row.s_lastUsedAt,
        revokedAt: row.s_revokedAt,
        revokedReason: row.s_revokedReason,
        ip: row.s_ip,
        userAgent: row.s_userAgent,
        lastIp: row.s_lastIp,
        lastUserAgent: row.s_lastUserAgent,
        dpopJkt: null,
        dpopBoundAt: null,
        secretHash: row.s_secretHash,
        idleTimeoutMs: row.s_idleTimeoutMs,
      };
      const { id: userId, email, passwordHash, createdAt, tokenEpoch, credentialVersion } = row;
      const { roles, disabledAt, emailVerified } = row;
      const user = toUser({
        id: userId,
        email,
        passwordHash,
        createdAt,
        tokenEpoch,
        credentialVersion,
        roles,
        disabledAt,
        emailVerified,
      });
      return { session, user: user as UserRecord };
    },

    touchServerSession(input: TouchServerSessionInput): boolean {
      return (
        h
          .sql(
            `UPDATE sessions SET last_used_at = @now, last_ip = @ip, last_user_agent = @userAgent
             WHERE id = @sessionId AND kind = 'server' AND revoked_at IS NULL AND last_used_at < @lastUsedBefore`,
          )
          .run(input).changes === 1
      );
    },
  };
}
