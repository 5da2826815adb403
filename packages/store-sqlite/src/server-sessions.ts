import type {
  ServerSessionCheck,
  ServerSessionRecord,
  TouchServerSessionInput,
  UserRecord,
} from "@tessera/core";
import type { SqliteHandle } from "./handle.js";

/** Binds a `ServerSessionRecord` plus `expectedCredentialVersion`: the login fence of `createSession`. */
const INSERT_SERVER_SESSION_IF_CURRENT = `INSERT INTO sessions (id, kind, user_id, client_id, scope, created_at,
  expires_at, last_used_at, revoked_at, revoked_reason, ip, user_agent, last_ip, last_user_agent, dpop_jkt,
  secret_hash, idle_timeout_ms, remember)
  SELECT @id, 'server', u.id, @clientId, @scope, @createdAt, @expiresAt, @lastUsedAt, @revokedAt,
  @revokedReason, @ip, @userAgent, @lastIp, @lastUserAgent, NULL, @secretHash, @idleTimeoutMs, @remember
  FROM users u WHERE u.id = @userId AND u.credential_version = @expectedCredentialVersion`;

// One statement: the session by its primary key, its user by theirs. Read as a raw row (an
// array): this runs on every request of a server-rendered app, and naming 24 columns per row
// costs about as much as the lookup itself.
const SERVER_SESSION_WITH_USER = `SELECT s.id, s.user_id, s.client_id, s.scope, s.created_at, s.expires_at,
  s.last_used_at, s.revoked_at, s.revoked_reason, s.ip, s.user_agent, s.last_ip, s.last_user_agent,
  s.secret_hash, s.idle_timeout_ms, s.remember,
  u.email, u.password_hash, u.created_at, u.token_epoch, u.credential_version, u.roles, u.disabled_at,
  u.email_verified
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.kind = 'server'`;

// What a validation reads, from the two covering indexes of migration 10 alone. INDEXED BY makes a
// missing or unusable index an error when the statement is prepared, not a silent table walk.
export const SERVER_SESSION_CHECK = `SELECT s.id, s.user_id, s.secret_hash, s.created_at, s.expires_at,
  s.last_used_at, s.idle_timeout_ms, s.revoked_at, u.email, u.roles, u.disabled_at
  FROM sessions s INDEXED BY server_session_check
  JOIN users u INDEXED BY user_session_check ON u.id = s.user_id
  WHERE s.id = ? AND s.kind = 'server'`;

type Text = string | null;
type Time = number | null;
type CheckRow = [string, string, string, number, number, number, number, Time, string, string, Time];
type Row = [
  ...[
    string,
    string,
    string,
    Text,
    number,
    number,
    number,
    Time,
    Text,
    Text,
    Text,
    Text,
    Text,
    string,
    number,
    number,
  ],
  ...[string, string, number, number, number, string, Time, number],
];

/** Server sessions: creation behind the login fence, the one-read lookup, and last-use writes. */
export function serverSessionOperations(h: SqliteHandle) {
  return {
    createServerSession(session: ServerSessionRecord, expectedCredentialVersion: number): boolean {
      const { kind: _kind, dpopBoundAt: _bound, remember, ...fields } = session;
      const params = { ...fields, remember: remember ? 1 : 0, expectedCredentialVersion };
      return h.sql(INSERT_SERVER_SESSION_IF_CURRENT).run(params).changes === 1;
    },

    getServerSession(id: string): { session: ServerSessionRecord; user: UserRecord } | null {
      const row = h.sql(SERVER_SESSION_WITH_USER).raw(true).get(id) as Row | undefined;
      if (row === undefined) return null;
      const [sid, userId, clientId, scope, createdAt, expiresAt, lastUsedAt, revokedAt, revokedReason] = row;
      const [ip, userAgent, lastIp, lastUserAgent, secretHash, idleTimeoutMs, remember] = row.slice(
        9,
        16,
      ) as [Text, Text, Text, Text, string, number, number];
      const [email, passwordHash, userCreatedAt, tokenEpoch, credentialVersion, roles, disabledAt, verified] =
        row.slice(16) as [string, string, number, number, number, string, Time, number];
      const session: ServerSessionRecord = {
        id: sid,
        kind: "server",
        userId,
        clientId,
        scope,
        createdAt,
        expiresAt,
        lastUsedAt,
        revokedAt,
        revokedReason,
        ip,
        userAgent,
        lastIp,
        lastUserAgent,
        dpopJkt: null,
        dpopBoundAt: null,
        secretHash,
        idleTimeoutMs,
        remember: remember === 1,
      };
      const user: UserRecord = {
        id: userId,
        email,
        passwordHash,
        createdAt: userCreatedAt,
        tokenEpoch,
        credentialVersion,
        roles: JSON.parse(roles) as string[],
        disabledAt,
        emailVerified: verified === 1,
      };
      return { session, user };
    },

    checkServerSession(id: string): ServerSessionCheck | null {
      const row = h.sql(SERVER_SESSION_CHECK).raw(true).get(id) as CheckRow | undefined;
      if (row === undefined) return null;
      const [
        sid,
        userId,
        secretHash,
        createdAt,
        expiresAt,
        lastUsedAt,
        idleTimeoutMs,
        revokedAt,
        email,
        roles,
        disabledAt,
      ] = row;
      return {
        session: { id: sid, userId, secretHash, createdAt, expiresAt, lastUsedAt, idleTimeoutMs, revokedAt },
        user: { id: userId, email, roles: JSON.parse(roles) as string[], disabledAt },
      };
    },

    touchServerSession(input: TouchServerSessionInput): boolean {
      return (
        h
          .sql(
            `UPDATE sessions SET last_used_at = @now, last_ip = COALESCE(@ip, last_ip),
             last_user_agent = COALESCE(@userAgent, last_user_agent)
             WHERE id = @sessionId AND kind = 'server' AND revoked_at IS NULL AND last_used_at < @lastUsedBefore`,
          )
          .run(input).changes === 1
      );
    },
  };
}
