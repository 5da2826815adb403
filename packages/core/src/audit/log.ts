import type { ClientContext } from "../api.js";
import type { Clock } from "../clock.js";
import type { AuditEvent, AuditOutcome, Store } from "../store.js";

/**
 * The event types the core writes (also the valid values of `tessera audit --type`). Each carries
 * who and from where, never a token, secret or password. `session.dpop_bound`: a refresh with a DPoP
 * proof bound a family that logged in without one (RFC 9449 §5); `key.rewrapped`: written by
 * `tessera keys rewrap`, the stored keys re-sealed under a new master key.
 */
export const AUDIT_TYPES = [
  "user.registered",
  "login.succeeded",
  "login.failed",
  "token.issued",
  "refresh.rotated",
  "refresh.grace_reissued",
  "refresh.reuse_detected",
  "refresh.context_changed",
  "refresh.context_mismatch",
  "session.revoked",
  "session.dpop_bound",
  "user.logout_all",
  "user.password_changed",
  "user.deleted",
  "user.roles_changed",
  "roles.policy_applied",
  "key.created",
  "key.rotated",
  "key.retired",
  "key.rewrapped",
  "user.imported",
  "user.password_rehashed",
  "user.disabled",
  "user.enabled",
  "user.email_changed",
  "user.password_set",
  "user.sessions_revoked",
  "ticket.created",
  "login.ticket",
  "admin.request",
  "password.reset_requested",
  "password.reset",
  "email.verification_sent",
  "email.verified",
] as const;

export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEntry {
  type: AuditType;
  outcome?: AuditOutcome;
  userId?: string | null;
  sessionId?: string | null;
  context?: ClientContext | null;
  data?: AuditEvent["data"];
}

/** Writes one audit event; awaited, so an event is stored before the caller answers. */
export type AuditLog = (entry: AuditEntry) => Promise<void>;

/**
 * An audit writer over a store, stamping events with the injected clock. The entry type admits no
 * free-form token field; callers put only ids, reasons and classifications in `data`.
 *
 * @example
 * const audit = createAuditLog(store, clock);
 * await audit({ type: "login.failed", outcome: "failure", data: { reason: "wrong_password" } });
 */
export function createAuditLog(store: Store, clock: Clock): AuditLog {
  return (entry) => store.appendAudit(auditEvent(entry, clock.now()));
}

/**
 * The stored form of an entry at `at`, for a store operation that writes it in its own
 * transaction (a rotation and its `refresh.rotated` commit together).
 *
 * @example
 * await store.rotateRefreshToken({ ...input, audit: auditEvent({ type: "refresh.rotated", userId }, now) });
 */
export function auditEvent(entry: AuditEntry, at: number): AuditEvent {
  return {
    at,
    type: entry.type,
    outcome: entry.outcome ?? "success",
    userId: entry.userId ?? null,
    sessionId: entry.sessionId ?? null,
    ip: entry.context?.ip ?? null,
    userAgent: entry.context?.userAgent ?? null,
    data: entry.data ?? {},
  };
}
