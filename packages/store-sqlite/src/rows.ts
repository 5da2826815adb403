import type { AuditEvent, AuditOutcome, RefreshTokenRecord, SessionRecord, UserRecord } from "@tessera/core";

// Row <-> record mapping. Reads alias snake_case columns to the record's camelCase fields; writes
// bind a record's fields by name (`@field`), so a record object is its own parameter list.

export const USER_COLUMNS =
  "id, email, password_hash AS passwordHash, created_at AS createdAt, token_epoch AS tokenEpoch, credential_version AS credentialVersion, roles, disabled_at AS disabledAt, email_verified AS emailVerified";

/** A users row as read with `USER_COLUMNS`: `roles` is JSON text, and SQLite has no booleans. */
export type UserRow = Omit<UserRecord, "roles" | "emailVerified"> & { roles: string; emailVerified: number };

/** The record of a {@link UserRow}. */
export function toUser(row: UserRow | undefined): UserRecord | null {
  return row === undefined
    ? null
    : { ...row, roles: JSON.parse(row.roles) as string[], emailVerified: row.emailVerified === 1 };
}

export const SESSION_COLUMNS = `id, user_id AS userId, client_id AS clientId, scope, created_at AS createdAt,
  expires_at AS expiresAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt,
  revoked_reason AS revokedReason, ip, user_agent AS userAgent, last_ip AS lastIp,
  last_user_agent AS lastUserAgent, dpop_jkt AS dpopJkt, dpop_bound_at AS dpopBoundAt, kind`;

export const TOKEN_COLUMNS = `id, session_id AS sessionId, secret_hash AS secretHash, created_at AS createdAt,
  expires_at AS expiresAt, used_at AS usedAt, successor_id AS successorId,
  successor_sealed AS successorSealed`;

export const KEY_COLUMNS = `kid, alg, status, public_jwk AS publicJwk, private_sealed AS privateSealed,
  created_at AS createdAt, activated_at AS activatedAt, retired_at AS retiredAt`;

export const REVOCATION_COLUMNS = "cursor, kind, user_id AS userId, session_id AS sessionId, epoch, at";

type Text = string | null;
type Time = number | null;

/** A raw row of `refresh_tokens t JOIN sessions s`: the token's eight columns, then the session's sixteen. */
export type TokenSessionRow = [
  string,
  string,
  string,
  number,
  number,
  Time,
  Text,
  Text,
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
  Text,
  Time,
  "token" | "server",
];

/**
 * A {@link TokenSessionRow} (columns in the order of `TOKEN_COLUMNS`, then `SESSION_COLUMNS`) to
 * the two records.
 */
export function tokenAndSessionFromRow(row: TokenSessionRow): {
  token: RefreshTokenRecord;
  session: SessionRecord;
} {
  const [id, sessionId, secretHash, createdAt, expiresAt, usedAt, successorId, successorSealed] = row;
  const [sid, userId, clientId, scope, sCreatedAt, sExpiresAt, lastUsedAt, revokedAt, revokedReason] =
    row.slice(8) as [string, string, string, Text, number, number, number, Time, Text];
  const [ip, userAgent, lastIp, lastUserAgent, dpopJkt] = row.slice(17) as [Text, Text, Text, Text, Text];
  const dpopBoundAt = row[22];
  const kind = row[23];
  return {
    token: { id, sessionId, secretHash, createdAt, expiresAt, usedAt, successorId, successorSealed },
    session: {
      id: sid,
      userId,
      clientId,
      scope,
      createdAt: sCreatedAt,
      expiresAt: sExpiresAt,
      lastUsedAt,
      revokedAt,
      revokedReason,
      ip,
      userAgent,
      lastIp,
      lastUserAgent,
      dpopJkt,
      dpopBoundAt,
      kind,
    },
  };
}

/**
 * Binds a `SessionRecord` plus `expectedCredentialVersion`: inserts nothing unless the user exists
 * with that credential version.
 */
export const INSERT_SESSION_IF_CURRENT = `INSERT INTO sessions (id, user_id, client_id, scope, created_at,
  expires_at, last_used_at, revoked_at, revoked_reason, ip, user_agent, last_ip, last_user_agent, dpop_jkt)
  SELECT @id, u.id, @clientId, @scope, @createdAt, @expiresAt, @lastUsedAt, @revokedAt, @revokedReason,
  @ip, @userAgent, @lastIp, @lastUserAgent, @dpopJkt
  FROM users u WHERE u.id = @userId AND u.credential_version = @expectedCredentialVersion`;

/** Binds a `RefreshTokenRecord`. */
export const INSERT_TOKEN = `INSERT INTO refresh_tokens (id, session_id, secret_hash, created_at, expires_at,
  used_at, successor_id, successor_sealed)
  VALUES (@id, @sessionId, @secretHash, @createdAt, @expiresAt, @usedAt, @successorId, @successorSealed)`;

/** Binds a `SigningKeyRecord`. */
export const INSERT_KEY = `INSERT INTO signing_keys (kid, alg, status, public_jwk, private_sealed, created_at,
  activated_at, retired_at)
  VALUES (@kid, @alg, @status, @publicJwk, @privateSealed, @createdAt, @activatedAt, @retiredAt)`;

/** Binds the parameters of {@link auditToParams}; the store assigns the id. */
export const INSERT_AUDIT = `INSERT INTO audit_events (at, type, outcome, user_id, session_id, ip, user_agent, data)
  VALUES (@at, @type, @outcome, @userId, @sessionId, @ip, @userAgent, @data)`;

export const AUDIT_COLUMNS =
  "id, at, type, outcome, user_id AS userId, session_id AS sessionId, ip, user_agent AS userAgent, data";

export interface AuditRow {
  id: number;
  at: number;
  type: string;
  outcome: AuditOutcome;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** JSON of `AuditEvent.data`. */
  data: string;
}

/** An audit row as read (with `data` still JSON) to the record. */
export function auditFromRow(row: AuditRow): AuditEvent {
  return { ...row, data: JSON.parse(row.data) as AuditEvent["data"] };
}

/** The parameters of an audit insert; the store assigns the id. */
export function auditToParams(event: AuditEvent): Omit<AuditRow, "id"> {
  return {
    at: event.at,
    type: event.type,
    outcome: event.outcome,
    userId: event.userId,
    sessionId: event.sessionId,
    ip: event.ip,
    userAgent: event.userAgent,
    data: JSON.stringify(event.data),
  };
}

/** A `LIMIT` value: SQLite treats a negative limit as "no limit", so clamp at zero. */
export function limitOf(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback;
}
