import type { AdminCall } from "./admin/record-call.js";
import type { Clock } from "./clock.js";
import type { Mailer } from "./mail/mailer.js";
import type { ClaimsHook } from "./permissions/claims.js";
import type { RolePolicy } from "./permissions/policy.js";
import type { ServerSessions } from "./server-sessions/types.js";
import type { AuditEvent, AuditFilter, SessionKind, SigningKeyRecord, Store } from "./store.js";
import type { ImportResult } from "./users/import.js";

export type { AdminCall };

export type SigningAlg = "EdDSA" | "ES256" | "RS256" | "HS256";

/** Derives and checks password hashes; the default is argon2id (m=19456 KiB, t=2, p=1). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export type RefreshContextMode = "audit" | "strict" | "off";

/** Parsed configuration of the core; the server builds it from the environment. */
export interface TesseraOptions {
  store: Store;
  /** 32 bytes: seals private keys at rest and derives the CSRF key. */
  masterKey: Uint8Array;
  issuer: string;
  audience: string | string[];
  /** `client_id` claim of tokens issued to the first-party web client. Default `tessera`. */
  clientId?: string;
  signingAlg?: SigningAlg;
  accessTokenTtlMs?: number;
  refreshTtlMs?: number;
  sessionMaxAgeMs?: number;
  refreshGraceMs?: number;
  registration?: "open" | "closed";
  refreshContext?: RefreshContextMode;
  passwordHasher?: PasswordHasher;
  clock?: Clock;
  /** How long audit events are kept. Default 90 days. */
  auditRetentionMs?: number;
  /**
   * How often this process re-reads the signing-key ring from the store (lazily, on use), so a
   * rotation made elsewhere (`tessera keys rotate`, another instance or worker) reaches it: within
   * this interval it signs with the new active key and publishes the new next key. Default 60 s.
   */
  keyReloadIntervalMs?: number;
  /**
   * What each role grants: role name → permissions (RFC 6749 §3.3 scope tokens), as from
   * `TESSERA_ROLES_FILE`. A role absent from it grants nothing. When given, `createTessera`
   * compares it with the policy last applied to the store: users holding a role that lost a
   * permission get their token epoch bumped (earlier access tokens refused; sessions kept).
   */
  roles?: RolePolicy;
  /**
   * Extra claims for every access token, computed at every issuance (login, refresh, grace
   * re-issue). Registered names (`iss sub aud exp nbf iat jti sid client_id scope roles epoch cnf`)
   * are refused and the token must stay under 8 KiB: `claims_rejected` otherwise.
   *
   * @example
   * claims: ({ user }) => ({ tenant: tenantOf(user.email) })
   */
  claims?: ClaimsHook;
  /** Sends the reset and verification mails; without one, none are sent. */
  mailer?: Mailer;
  /** Base URL of the application's pages that mail links point at. Default: the issuer. */
  appUrl?: string;
  /** Password reset by mail (`requestPasswordReset`, `resetPassword`). Default true. */
  passwordReset?: boolean;
  /** How long a reset link works. Default 30 minutes. */
  passwordResetTtlMs?: number;
  /** `optional` (default): a verification mail at registration; `required`: login needs it. */
  emailVerification?: "off" | "optional" | "required";
}

/** Who is calling, as far as the HTTP layer can tell; recorded on sessions and audit events. */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
}

export interface PublicUser {
  id: string;
  email: string;
  /** The roles the user holds (sorted). */
  roles: string[];
  /** Whether the address was verified (given by `getUser`). */
  emailVerified?: boolean;
}

/** Claims of a Tessera access token (RFC 9068 profile). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  sid: string;
  /** The user's token epoch at issue; lower than the current epoch means revoked. */
  epoch: number;
  /** Space-separated permissions granted (RFC 9068 §2.2.3); absent when none. */
  scope?: string;
  /** The user's roles at issue (RFC 9068 §2.2.3.1); absent when none. */
  roles?: string[];
  cnf?: { jkt: string };
}

/** What login and refresh hand back. */
export interface TokenSet {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  /** Stable for the whole session. */
  csrfToken: string;
  sessionId: string;
  /** When the session (and so the refresh cookie) ends, ms. */
  sessionExpiresAt: number;
  /** The granted scope (space-separated permissions; may be empty). */
  scope: string;
  user: PublicUser;
}

/** A user as the admin API shows it: never a hash, epoch or credential version. */
export interface AdminUserView {
  id: string;
  email: string;
  /** Sorted role names (a role the policy file does not define is held but grants nothing). */
  roles: string[];
  disabled: boolean;
  /** Whether the address was verified (by its owner, or as set by an administrator or import). */
  emailVerified: boolean;
  createdAt: number;
}

export interface SessionView {
  id: string;
  /** `token` (a refresh-token family) or `server` (a server session's cookie). */
  kind: SessionKind;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
  lastIp: string | null;
  lastUserAgent: string | null;
  current: boolean;
}

export type IntrospectionResult =
  | { active: false }
  | ({ active: true; token_type: "Bearer" | "DPoP" | "refresh_token" } & Partial<AccessTokenClaims> & {
        username?: string;
        email_verified?: boolean;
      });

export interface RevocationFeed {
  /** Opaque; pass back as `since` to get only newer events. */
  cursor: string;
  /** Access tokens of `sub` with `epoch` below `epoch` (or, for tokens without one, `iat` below `not_before`) are revoked. */
  users: Array<{ sub: string; not_before: number; epoch: number }>;
  sessions: Array<{ sid: string; revoked_at: number }>;
  /** More events wait after `cursor`: ask again at once (a page holds at most 5,000). */
  more: boolean;
}

export interface PublicJwk {
  kid: string;
  kty: string;
  alg: string;
  use: "sig";
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/**
 * The token service. One instance per process; every method is safe to call concurrently and
 * from several processes sharing one store.
 */
export interface Tessera {
  readonly options: Readonly<
    Required<Omit<TesseraOptions, "store" | "masterKey" | "passwordHasher" | "clock" | "claims" | "mailer">>
  >;
  /** The store it was created over (for HTTP adapters mounted beside it: DPoP replay ids). */
  readonly store: Store;

  /** Server sessions for server-rendered apps (one opaque cookie; see `ServerSessions`). */
  readonly sessions: ServerSessions;

  register(input: { email: string; password: string; context: ClientContext }): Promise<PublicUser>;
  /** Fails with `invalid_credentials` for an unknown e-mail and a wrong password alike. */
  login(input: {
    email: string;
    password: string;
    context: ClientContext;
    scope?: string;
    dpopJkt?: string;
  }): Promise<TokenSet>;
  /**
   * Rotation rules 1–4 (root README, "How the tokens work"). With `csrfToken`, it is first checked (constant-time) against
   * the session the token belongs to, before anything is consumed: a mismatch on a live session
   * fails with `csrf_invalid` and leaves the token usable (the same check as `checkCsrf`, without a
   * second lookup). `dpopJkt` is the thumbprint of a verified DPoP proof: a bound family needs its
   * own key's; an unbound family is bound to it by this rotation (RFC 9449 §5).
   */
  refresh(input: {
    refreshToken: string;
    context: ClientContext;
    /**
     * Ask for less than the session's scope, for this access token only (RFC 6749 §6); anything
     * outside the session's scope is `invalid_scope`, and nothing is consumed.
     */
    scope?: string;
    dpopJkt?: string;
    csrfToken?: string;
  }): Promise<TokenSet>;
  /** The session's CSRF token, for a page reload; validates the refresh token without using it. */
  csrfTokenFor(refreshToken: string): Promise<string>;
  /** Constant-time check of a CSRF token against the session the refresh token belongs to. */
  checkCsrf(refreshToken: string, csrfToken: string): Promise<boolean>;
  /** Revoke the refresh token's family. Unknown or already dead tokens are a no-op. */
  logout(input: { refreshToken: string; context: ClientContext }): Promise<void>;

  /** Verify an access token (signature, claims) and that it is still live (sid, epoch). */
  authenticate(accessToken: string): Promise<AccessTokenClaims>;
  getUser(userId: string): Promise<PublicUser>;
  logoutAll(claims: AccessTokenClaims, context: ClientContext): Promise<void>;
  listSessions(claims: AccessTokenClaims): Promise<SessionView[]>;
  /** Revoke one of the caller's own sessions; `not_found` for anyone else's. */
  revokeSession(claims: AccessTokenClaims, sessionId: string, context: ClientContext): Promise<void>;
  changePassword(
    claims: AccessTokenClaims,
    input: { currentPassword: string; newPassword: string; context: ClientContext },
  ): Promise<void>;
  deleteAccount(
    claims: AccessTokenClaims,
    input: { password: string; context: ClientContext },
  ): Promise<void>;

  // account recovery and e-mail
  /** Mail a reset link if the account exists; resolves the same way whether or not it does. */
  requestPasswordReset(input: { email: string; context: ClientContext }): Promise<void>;
  /** `invalid_token`, `weak_password` (the token stays usable); then every session is revoked. */
  resetPassword(input: { token: string; newPassword: string; context: ClientContext }): Promise<void>;
  /** `invalid_token` unless the token is a live, unused verification token. */
  verifyEmail(input: { token: string; context: ClientContext }): Promise<void>;
  /** Mail a new verification link to the caller, unless the address is verified already. */
  resendVerification(claims: AccessTokenClaims, context: ClientContext): Promise<void>;

  /**
   * RFC 7009: revoke what the token grants (its session); unknown tokens are a no-op. A DPoP-bound
   * token needs `dpopJkt`, the thumbprint of a verified proof of its key (`dpop_key_required`).
   */
  revokeToken(token: string, context: ClientContext, dpopJkt?: string): Promise<void>;
  /** RFC 7662. */
  introspect(token: string): Promise<IntrospectionResult>;
  revocationFeed(since: string | undefined): Promise<RevocationFeed>;
  jwks(): Promise<{ keys: PublicJwk[] }>;

  /**
   * Redeem a login ticket (made by `adminCreateLoginTicket`) for a new session: the same token set
   * as `login`. `invalid_ticket` when unknown, used or expired; `account_disabled`.
   */
  loginWithTicket(input: { ticket: string; context: ClientContext; dpopJkt?: string }): Promise<TokenSet>;

  // administration (CLI, admin API)
  /**
   * Without a password the user can only log in by ticket (or once one is set, or by a password
   * reset). `emailVerified` (default false) marks the address as already verified.
   */
  adminCreateUser(
    email: string,
    password?: string,
    options?: { emailVerified?: boolean; roles?: readonly string[] },
  ): Promise<PublicUser>;
  /**
   * Add and remove roles of a user (by id or e-mail). Removing a role the user held bumps the
   * user's token epoch — earlier access tokens are refused everywhere revocation is checked —
   * without revoking sessions; their next refresh carries the new roles. `not_found`,
   * `invalid_input`.
   */
  adminChangeRoles(
    userIdOrEmail: string,
    change: { add?: readonly string[]; remove?: readonly string[] },
  ): Promise<PublicUser>;
  /** Roles users hold that the role policy does not define (they grant nothing). */
  undefinedHeldRoles(): Promise<string[]>;
  /** Every permission the role policy can grant (RFC 8414 `scopes_supported`). */
  scopesSupported(): string[];
  adminListUsers(options?: { limit?: number; afterId?: string }): Promise<PublicUser[]>;
  /** Users in id order after `afterId`, or the one with exactly `email`. */
  adminFindUsers(options: { email?: string; limit: number; afterId?: string }): Promise<AdminUserView[]>;
  /** By id or e-mail; `not_found`. */
  adminGetUser(userIdOrEmail: string): Promise<AdminUserView>;
  /**
   * E-mail, roles (the whole new list; a role removed bumps the epoch), password (fenced),
   * disabled (fenced). Every input is checked before anything is written, so a refused change
   * changes nothing; `not_found`, `email_taken`, `weak_password`, `invalid_input`.
   */
  adminUpdateUser(
    userId: string,
    changes: { email?: string; password?: string; roles?: readonly string[]; disabled?: boolean },
  ): Promise<AdminUserView>;
  /** Disable (every session revoked, epoch bumped) or enable, by id or e-mail; false: no such user. */
  adminSetDisabled(userIdOrEmail: string, disabled: boolean): Promise<boolean>;
  adminDeleteUser(userIdOrEmail: string): Promise<boolean>;
  adminListSessions(userIdOrEmail: string): Promise<SessionView[]>;
  adminRevokeSession(sessionId: string): Promise<boolean>;
  /** Revoke every session of a user (by id or e-mail) and bump the epoch; `not_found`. */
  adminRevokeUserSessions(userIdOrEmail: string): Promise<number>;
  /** A single-use login ticket, valid 60 s, by user id or e-mail; `not_found`, `account_disabled`. */
  adminCreateLoginTicket(input: {
    user: string;
    scope?: string;
  }): Promise<{ ticket: string; expiresIn: number }>;
  /** Audit one admin API call (`admin.request`) with the admin credential id. */
  recordAdminCall(call: AdminCall): Promise<void>;
  /**
   * Import up to 1,000 users with the password hashes of the system they come from (`users` is
   * the untrusted array as received); see `importUsers`.
   */
  adminImportUsers(users: unknown): Promise<ImportResult>;
  listKeys(): Promise<Array<Omit<SigningKeyRecord, "privateSealed">>>;
  /** next → active, active → previous, a new next; publishes before it signs. */
  rotateKeys(): Promise<void>;
  /** previous → retired (no longer published). */
  retireKey(kid: string): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>;

  /** Housekeeping: delete expired rows, wipe grace successors, prune audit. */
  purge(): Promise<void>;
  close(): Promise<void>;
}
