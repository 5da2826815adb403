/**
 * What `Store` operations take and answer beyond the records: audit events and filters,
 * revocation events, rotation, credential changes and access state.
 */

import type { RefreshTokenRecord, UserRecord } from "./store-records.js";

export type AuditOutcome = "success" | "failure";

export interface AuditEvent {
  /** Assigned by the store on append (monotonic); ignored on input. */
  id?: number;
  at: number;
  type: string;
  outcome: AuditOutcome;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Small extra facts (never a token, secret or password). */
  data: Record<string, string | number | boolean | null>;
}

export interface AuditFilter {
  userId?: string;
  type?: string;
  since?: number;
  until?: number;
  /** Only events with an id greater than this (for following). */
  afterId?: number;
  limit?: number;
}

export interface RevocationEvent {
  /** Monotonic position in the revocation log. */
  cursor: number;
  kind: "user" | "session";
  userId: string;
  /** The session id for `session` events; `null` for `user` events. */
  sessionId: string | null;
  /** For `user` events: the user's token epoch after the bump. */
  epoch: number | null;
  at: number;
}

export type RotateOutcome =
  /**
   * This call won: the token is now used and the successor inserted, while the session was live
   * and unexpired. `user` is the session's user read in the same transaction: the roles and the
   * token epoch the new access token carries belong together (a role removal committed after the
   * read bumps the epoch past the one read, so the token is refused; one committed before is seen).
   */
  | { outcome: "rotated"; user: UserRecord }
  /** The token was unused but its session is revoked or past `expiresAt`: nothing was written. */
  | { outcome: "revoked" }
  /** The token had already been used; `successor` is the token that replaced it, if still stored. */
  | { outcome: "already_used"; usedAt: number; successor: RefreshTokenRecord | null }
  /** No such token (or its session is gone). */
  | { outcome: "not_found" };

export interface RotateInput {
  tokenId: string;
  now: number;
  successor: RefreshTokenRecord;
  successorSealed: string;
  /** Client context of this refresh, recorded on the session. */
  ip: string | null;
  userAgent: string | null;
  /**
   * An audit event to append in the same transaction, only when this call wins (`rotated`): the
   * rotation and its record commit together, and a lost race writes nothing.
   */
  audit?: AuditEvent;
  /**
   * RFC 9449 §5: bind the family to this DPoP key thumbprint, in the same transaction and only
   * when this call wins: `dpopJkt` from NULL to it (compare-and-set; a bound family keeps its key)
   * and `dpopBoundAt = now`.
   */
  bindDpopJkt?: string;
}

export interface RevokeUserSessionsInput {
  userId: string;
  now: number;
  reason: string;
  /** Keep this session alive (password change keeps the caller's). */
  exceptSessionId?: string;
}

export interface ChangeCredentialsInput {
  userId: string;
  now: number;
  /** The revocation reason recorded on the sessions, e.g. `password_changed`, `user_disabled`. */
  reason: string;
  /** The new argon2id PHC string, written in the same transaction; omitted: the hash stays. */
  passwordHash?: string;
  /** Keep this session alive (a password change keeps the caller's). */
  exceptSessionId?: string;
  /** Mark the user disabled at this time (ms), in the same transaction (`user_disabled`). */
  disabledAt?: number;
}

export interface ChangeCredentialsResult {
  /** The user's token epoch after the bump. */
  epoch: number;
  /** The user's credential version after the bump. */
  credentialVersion: number;
  revokedSessionIds: string[];
}

export interface AccessState {
  tokenEpoch: number;
  /** `true` when the session is revoked or no longer stored. */
  sessionRevoked: boolean;
}
