import type {
  AuditEvent,
  AuditOutcome,
  RefreshTokenRecord,
  RevocationEvent,
  SessionRecord,
  SigningKeyRecord,
  SigningKeyStatus,
  UserRecord,
} from "@tessera/core";

// Row shapes as `pg` returns them (BIGINT already parsed to number by the pool's type parser).

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  token_epoch: number;
  credential_version: number;
  roles: string[];
  disabled_at: number | null;
  email_verified: boolean;
}

export interface SessionRow {
  id: string;
  user_id: string;
  client_id: string;
  scope: string | null;
  created_at: number;
  expires_at: number;
  last_used_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  last_ip: string | null;
  last_user_agent: string | null;
  dpop_jkt: string | null;
  dpop_bound_at: number | null;
  /** Read with `SESSION_READ_COLUMNS` (or `to_jsonb`); never written by `sessionParams`. */
  kind?: "token" | "server";
}

export interface RefreshTokenRow {
  id: string;
  session_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  successor_id: string | null;
  successor_sealed: string | null;
}

export interface RevocationRow {
  cursor: number;
  kind: "user" | "session";
  user_id: string;
  session_id: string | null;
  epoch: number | null;
  at: number;
}

export interface SigningKeyRow {
  kid: string;
  alg: SigningKeyRecord["alg"];
  status: SigningKeyStatus;
  public_jwk: string | null;
  private_sealed: string;
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
}

export interface AuditRow {
  id: number;
  at: number;
  type: string;
  outcome: AuditOutcome;
  user_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: AuditEvent["data"];
}

export const SESSION_COLUMNS =
  "id, user_id, client_id, scope, created_at, expires_at, last_used_at, revoked_at, revoked_reason, ip, user_agent, last_ip, last_user_agent, dpop_jkt, dpop_bound_at";

/** What session reads select: the written columns and the kind. */
export const SESSION_READ_COLUMNS = `${SESSION_COLUMNS}, kind`;

export const TOKEN_COLUMNS =
  "id, session_id, secret_hash, created_at, expires_at, used_at, successor_id, successor_sealed";

/** A row limit: the caller's, floored and at least 0, or `fallback` when absent or not finite. */
export function limitOf(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback;
}

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    tokenEpoch: row.token_epoch,
    credentialVersion: row.credential_version,
    roles: row.roles,
    disabledAt: row.disabled_at,
    emailVerified: row.email_verified,
  };
}

export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    scope: row.scope,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    ip: row.ip,
    userAgent: row.user_agent,
    lastIp: row.last_ip,
    lastUserAgent: row.last_user_agent,
    dpopJkt: row.dpop_jkt,
    dpopBoundAt: row.dpop_bound_at ?? null,
    kind: row.kind ?? "token",
  };
}

export function sessionParams(s: SessionRecord): unknown[] {
  return [
    s.id,
    s.userId,
    s.clientId,
    s.scope,
    s.createdAt,
    s.expiresAt,
    s.lastUsedAt,
    s.revokedAt,
    s.revokedReason,
    s.ip,
    s.userAgent,
    s.lastIp,
    s.lastUserAgent,
    s.dpopJkt,
    s.dpopBoundAt ?? null,
  ];
}

export function toToken(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    successorId: row.successor_id,
    successorSealed: row.successor_sealed,
  };
}

export function tokenParams(t: RefreshTokenRecord): unknown[] {
  return [
    t.id,
    t.sessionId,
    t.secretHash,
    t.createdAt,
    t.expiresAt,
    t.usedAt,
    t.successorId,
    t.successorSealed,
  ];
}

export function toRevocation(row: RevocationRow): RevocationEvent {
  return {
    cursor: row.cursor,
    kind: row.kind,
    userId: row.user_id,
    sessionId: row.session_id,
    epoch: row.epoch,
    at: row.at,
  };
}

export function toSigningKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    publicJwk: row.public_jwk,
    privateSealed: row.private_sealed,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
  };
}

export function toAudit(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    type: row.type,
    outcome: row.outcome,
    userId: row.user_id,
    sessionId: row.session_id,
    ip: row.ip,
    userAgent: row.user_agent,
    data: row.data,
  };
}
