import type { ClientContext, SessionView } from "../api.js";

/** The session of a request, as the adapters put it on `request.session`. */
export interface ServerSessionView {
  /** The session's id: the one in the device list (`GET /auth/sessions`, `tessera sessions list`). */
  id: string;
  userId: string;
  /** The synchronizer token of unsafe requests (form field `_csrf` or `X-CSRF-Token`); stable for the session. */
  csrfToken: string;
  createdAt: number;
  /** The absolute end of the session (ms). */
  expiresAt: number;
}

/** The user of a request, as the adapters put it on `request.user`: read at every validation. */
export interface ServerSessionUser {
  id: string;
  email: string;
  /** The roles the user holds now (sorted). */
  roles: string[];
  /** Every permission the user's roles grant now, by the role policy. */
  scope: string[];
}

export interface ValidServerSession {
  session: ServerSessionView;
  user: ServerSessionUser;
}

/** A new session: what `validate` would answer for it, and the cookie value that opens it. */
export interface StartedServerSession extends ValidServerSession {
  /** `tss_<id>.<secret>`: set it as the `__Host-tessera_session` cookie. */
  cookieValue: string;
  /**
   * The cookie's `Max-Age` (ms): the session's absolute lifetime when it was started with
   * `remember` (or replaces one that was), else undefined — a browser-session cookie.
   */
  cookieMaxAgeMs: number | undefined;
}

/**
 * Server sessions for server-rendered apps: one opaque cookie checked against the store on every
 * request. Same users, password check, audit events and revocation as the token mode; the
 * sessions are families of kind `server` in the same device list.
 */
export interface ServerSessions {
  /** `__Host-tessera_session`. */
  readonly cookieName: string;
  /**
   * The session and user of a cookie value, or null — never throwing — for a malformed, unknown,
   * forged, revoked, idle or expired session (or a disabled user). Roles and scope are read now.
   * Records the use (time, `context`) at most once per min(1 minute, idle timeout / 4).
   * Rejects only when the store is unavailable.
   */
  validate(cookieValue: unknown, context?: ClientContext): Promise<ValidServerSession | null>;
  /**
   * Log in with e-mail and password: the same check, limits left to the caller, and audit events
   * as the token login (`invalid_credentials`, `account_disabled`, `email_unverified`).
   * `replaces`, the cookie value the browser still sent, is revoked once the new session exists
   * (no fixation). `idleTimeoutMs` defaults to 12 hours; the absolute lifetime is the service's
   * `sessionMaxAgeMs`. `remember` ("keep me signed in", default false) is stored with the session:
   * the answer's `cookieMaxAgeMs` is then the absolute lifetime.
   */
  login(input: {
    email: string;
    password: string;
    context: ClientContext;
    idleTimeoutMs?: number;
    replaces?: string | undefined;
    remember?: boolean | undefined;
  }): Promise<StartedServerSession>;
  /** Revoke the cookie's session; unknown or dead cookies are a no-op. */
  logout(cookieValue: unknown, context: ClientContext): Promise<void>;
  /**
   * Change the password of the session's user (`invalid_credentials`, `weak_password`,
   * `session_revoked` for a dead session): every session of the user ends, the caller's included,
   * and a new session replaces the caller's — set its cookie, with its `cookieMaxAgeMs`: the new
   * session keeps the caller's `remember` and idle timeout.
   */
  changePassword(
    sessionId: string,
    input: { currentPassword: string; newPassword: string; context: ClientContext },
  ): Promise<StartedServerSession>;
  /** The live sessions (token and server) of the session's user, marking it as current. */
  list(sessionId: string): Promise<SessionView[]>;
  /** Revoke one session of the same user ("sign out this device"); `not_found` for anyone else's. */
  revoke(sessionId: string, targetSessionId: string, context: ClientContext): Promise<void>;
}
