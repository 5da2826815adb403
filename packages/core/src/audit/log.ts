import type { ClientContext } from "../api.js";
import type { Clock } from "../clock.js";
import type { AuditEvent, AuditOutcome, Store } from "../store.js";

/** The event types the core writes. Each carries who and from where, never a token, secret or password. */
export type AuditType =
  | "user.registered"
  /** A user created by `importUsers`, with the kind of hash brought along (`data.hash`). */
  | "user.imported"
  /** An imported legacy hash replaced by the default hasher's at the user's first login. */
  | "user.password_rehashed"
  | "login.succeeded"
  | "login.failed"
  | "token.issued"
  | "refresh.rotated"
  | "refresh.grace_reissued"
  | "refresh.reuse_detected"
  | "refresh.context_changed"
  | "refresh.context_mismatch"
  | "session.revoked"
  | "user.logout_all"
  | "user.password_changed"
  | "user.deleted"
  /** Administration: disabling (sessions revoked through the credential fence) and enabling. */
  | "user.disabled"
  | "user.enabled"
  | "user.email_changed"
  /** An administrator set a new password (through the credential fence). */
  | "user.password_set"
  /** An administrator revoked every session of a user. */
  | "user.sessions_revoked"
  /** A login ticket was created (`data.ticket` never: only who it is for). */
  | "ticket.created"
  /** A login-ticket redemption, success or failure (the ticket itself is never written). */
  | "login.ticket"
  /** One call of the admin API, with the admin credential id (written by the server). */
  | "admin.request"
  | "password.reset_requested"
  | "password.reset"
  | "email.verification_sent"
  | "email.verified"
  | "key.created"
  | "key.rotated"
  | "key.retired"
  /** Written by `tessera keys rewrap`: the stored keys re-sealed under a new master key. */
  | "key.rewrapped";

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
