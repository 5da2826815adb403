/**
 * The storage contract. It speaks the domain (create a session, rotate a refresh token, revoke a
 * family, bump a user's epoch), not generic CRUD, so that every adapter can make the operations
 * that must be atomic one transaction or one compare-and-set.
 *
 * All times are milliseconds since the Unix epoch. Secrets never reach a store: refresh tokens
 * arrive as SHA-256 hashes, successors and private keys arrive sealed (encrypted).
 *
 * Every adapter must pass `runStoreConformance` from `@tessera/core/testing`.
 */

import type { ApplyRolePolicyInput, ChangeUserRolesInput, ChangeUserRolesResult } from "./store-roles.js";

export interface UserRecord {
  id: string;
  /** Normalised (trimmed, NFC, lower-case); unique. */
  email: string;
  /**
   * The default hasher's PHC string (argon2id); for an imported user, until their first login,
   * the hash of the system they came from (see `parseLegacyHash`); `!` when the user has no
   * password (no login by password; see `NO_PASSWORD_HASH`).
   */
  passwordHash: string;
  createdAt: number;
  /**
   * Token epoch: a counter bumped by logout-all, password change and account deletion. Access
   * tokens carry the epoch they were issued under; a token whose epoch is lower is revoked.
   */
  tokenEpoch: number;
  /**
   * Credential version: bumped, in the same transaction as the revocation, by every credential
   * change (password change, reset, admin-set password, disabling, role removal) through
   * `changeCredentials`. A login read it before checking the password; its session is inserted
   * only if it is still the same (`createSession`), so a login racing a credential change never
   * leaves a session behind.
   */
  credentialVersion: number;
  /**
   * Role names (`^[a-z][a-z0-9_.:-]{0,63}$`, at most 32, sorted, no duplicates). What a role grants
   * comes from the role policy; a role absent from it grants nothing.
   */
  roles: string[];
  /**
   * When an administrator disabled the user (ms), or null. A disabled user cannot log in (the right
   * password answers `account_disabled`) nor redeem a login ticket; disabling goes through
   * `changeCredentials` (`disabledAt`), so every session dies in the same transaction.
   */
  disabledAt: number | null;
  /** The owner proved the address (a verification link, or a password reset through it). */
  emailVerified: boolean;
}

/**
 * A login ticket: what an operator's backend asks for (admin API) after authenticating a user its
 * own way, and the front end redeems once for a session. Only the SHA-256 of the ticket is stored.
 */
export interface LoginTicketRecord {
  /** base64url SHA-256 of the ticket. */
  hash: string;
  userId: string;
  /** The scope the session asks for, or null (everything). */
  scope: string | null;
  createdAt: number;
  expiresAt: number;
}

/** What a one-time mail token is for. */
export type MailTokenPurpose = "password_reset" | "email_verification";

/**
 * A password-reset or address-verification token. Only its SHA-256 is stored; the token itself
 * exists in the mail alone.
 */
export interface MailTokenRecord {
  /** base64url SHA-256 of the token. */
  tokenHash: string;
  purpose: MailTokenPurpose;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** Set once, by the one redemption that wins, or when a newer token supersedes this one. */
  usedAt: number | null;
}

/** `token`: a refresh-token family; `server`: a server session (one opaque cookie). */
export type SessionKind = "token" | "server";

/**
 * A session is one device login: a refresh-token family (`kind` "token") or a server session
 * (`kind` "server"). Both live in one table, so every revocation path reaches both.
 */
export interface SessionRecord {
  id: string;
  /** Absent on input: `token`. Stores always return it. */
  kind?: SessionKind;
  userId: string;
  clientId: string;
  scope: string | null;
  createdAt: number;
  /** Absolute end of the family (`TESSERA_SESSION_MAX_AGE` after login). */
  expiresAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
  /** e.g. `logout`, `logout_all`, `reuse_detected`, `password_changed`, `context_mismatch`. */
  revokedReason: string | null;
  /** Client context at login. */
  ip: string | null;
  userAgent: string | null;
  /** Client context at the most recent refresh. */
  lastIp: string | null;
  lastUserAgent: string | null;
  /** RFC 7638 thumbprint of the DPoP key the family is bound to, if any. */
  dpopJkt: string | null;
  /**
   * When a refresh bound the family (`RotateInput.bindDpopJkt`); `null` or absent when it was
   * bound at login or is unbound. Tokens created before it were bearer tokens.
   */
  dpopBoundAt?: number | null;
}

/**
 * A server session: the session row plus what only server sessions have. Only the SHA-256 of the
 * cookie's secret is stored.
 */
export interface ServerSessionRecord extends SessionRecord {
  kind: "server";
  /** base64url SHA-256 of the secret part of the cookie value. */
  secretHash: string;
  /** Idle lifetime: the session is dead once `lastUsedAt + idleTimeoutMs <= now`. */
  idleTimeoutMs: number;
}

/**
 * What `validate` needs of a server session and its user, and nothing more: read from two
 * covering indexes in SQLite (no table row is visited), so a check costs what one primary-key
 * lookup costs.
 */
export interface ServerSessionCheck {
  session: Pick<
    ServerSessionRecord,
    "id" | "userId" | "secretHash" | "createdAt" | "expiresAt" | "lastUsedAt" | "idleTimeoutMs" | "revokedAt"
  >;
  user: Pick<UserRecord, "id" | "email" | "roles" | "disabledAt">;
}

export interface TouchServerSessionInput {
  sessionId: string;
  now: number;
  /** The client's address now; null keeps the stored `lastIp`. */
  ip: string | null;
  /** The client's User-Agent now; null keeps the stored `lastUserAgent`. */
  userAgent: string | null;
  /** Write only if the stored `lastUsedAt` is below this (compare-and-set: one write per interval). */
  lastUsedBefore: number;
}

export interface RefreshTokenRecord {
  /** Public lookup id (the part before the dot). */
  id: string;
  sessionId: string;
  /** base64url SHA-256 of the secret part. */
  secretHash: string;
  createdAt: number;
  /** Idle expiry: `createdAt + TESSERA_REFRESH_TTL`, capped at the session's `expiresAt`. */
  expiresAt: number;
  /** Set once, by the one rotation that wins; never moves afterwards. */
  usedAt: number | null;
  successorId: string | null;
  /**
   * The successor token, sealed under a key derived from this token's secret, kept only for the
   * grace window so that a racing re-presentation can be answered with the same successor.
   */
  successorSealed: string | null;
}

export type SigningKeyStatus = "next" | "active" | "previous" | "retired";

export interface SigningKeyRecord {
  kid: string;
  alg: "EdDSA" | "ES256" | "RS256" | "HS256";
  /** `next`, `active` and `previous` keys are published in the JWKS (asymmetric ones only). */
  status: SigningKeyStatus;
  /** JSON of the public JWK; `null` for symmetric keys. */
  publicJwk: string | null;
  /** The private (or secret) key, sealed with AES-256-GCM under the master key. */
  privateSealed: string;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
}

export interface KeyChanges {
  /**
   * Compare-and-set: apply the batch only if the stored ring is exactly this set of
   * (kid, status) pairs — the ring the change was planned from — else reject with
   * `TesseraError("key_ring_changed")` and apply nothing. Instances starting or rotating at the
   * same moment thereby make one change, not two.
   */
  expect?: Array<Pick<SigningKeyRecord, "kid" | "status">>;
  inserts?: SigningKeyRecord[];
  updates?: Array<
    Pick<SigningKeyRecord, "kid"> &
      Partial<Pick<SigningKeyRecord, "status" | "activatedAt" | "retiredAt" | "privateSealed">>
  >;
}

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

export interface Store {
  /** Apply pending migrations (idempotent, safe from several processes at once). */
  migrate(): Promise<void>;
  /** Resolves when the store answers; rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // users
  /** Rejects with `TesseraError("email_taken")` when the e-mail exists. */
  createUser(user: UserRecord): Promise<void>;
  getUserById(id: string): Promise<UserRecord | null>;
  getUserByEmail(email: string): Promise<UserRecord | null>;
  listUsers(options?: { limit?: number; afterId?: string }): Promise<UserRecord[]>;
  /**
   * Re-hash the SAME password (new parameters) only: it is not fenced. A new password is a
   * credential change and goes through `changeCredentials`.
   */
  updatePasswordHash(userId: string, passwordHash: string): Promise<void>;
  /**
   * Compare-and-set of the SAME password's hash (an imported legacy hash upgraded at login):
   * write `newHash` only if the stored hash is still `expectedHash`, in one conditional
   * statement. Resolves false, writing nothing, when it is not (a concurrent credential change or
   * another login's upgrade won) or the user is gone. Bumps neither epoch nor credential version.
   */
  replacePasswordHash(userId: string, expectedHash: string, newHash: string): Promise<boolean>;
  /**
   * Delete the user with every session and refresh token, and record a `user` revocation event
   * with a bumped epoch. Returns false when there was no such user. A concurrent `createSession`
   * for the user either commits first (and its session is deleted with the user) or resolves
   * false; it never fails on the foreign key.
   */
  deleteUser(userId: string, now: number): Promise<boolean>;
  /**
   * Change a user's e-mail (already normalised). Resolves false when there is no such user; rejects
   * with `TesseraError("email_taken")` when another user has it. Not a credential change.
   */
  updateUserEmail(userId: string, email: string): Promise<boolean>;
  /**
   * Clear `disabledAt`. Resolves false when there is no such user. Nothing else changes: the
   * sessions revoked by disabling stay revoked. (Disabling is `changeCredentials({ disabledAt })`.)
   */
  enableUser(userId: string): Promise<boolean>;

  // login tickets
  /** Store a new ticket (by its hash). Rejects when the user does not exist. */
  createLoginTicket(ticket: LoginTicketRecord): Promise<void>;
  /**
   * Redeem a ticket: in ONE compare-and-set (delete or mark used, only if unused and not expired at
   * `now`), so of any number of concurrent calls with one hash exactly one gets the record and
   * every other gets null. Unknown, used or expired: null.
   */
  redeemLoginTicket(hash: string, now: number): Promise<LoginTicketRecord | null>;

  /**
   * Add and remove roles of a user in one transaction (add first, then remove; the result sorted,
   * no duplicates). When a role the user held is removed, the user's token epoch is bumped and a
   * `user` revocation event recorded in the same transaction, so every earlier access token is
   * refused; sessions are NOT revoked. Adding roles bumps nothing. Null when there is no such user.
   */
  changeUserRoles(input: ChangeUserRolesInput): Promise<ChangeUserRolesResult | null>;
  /** Every role some user holds, with how many users hold it, by name. */
  listHeldRoles(): Promise<Array<{ role: string; users: number }>>;
  /** The role policy last applied (the text given to `applyRolePolicy`), or null. */
  getRolePolicy(): Promise<string | null>;
  /**
   * Store a new role policy, only if the stored one is still `expected` (else resolve
   * `{ applied: false }` and write nothing), and in the same transaction bump the epoch of every
   * user holding one of `bumpRoles`, recording a `user` revocation event for each.
   */
  applyRolePolicy(input: ApplyRolePolicyInput): Promise<{ applied: boolean; bumpedUsers: number }>;

  // sessions and refresh tokens
  /**
   * Insert a session and its first refresh token in one transaction, only if the session's user
   * exists with `credential_version = expectedCredentialVersion` (one conditional statement, or
   * under the user row's lock): the fence of a login against a concurrent credential change or
   * deletion. Resolves false, having inserted nothing, otherwise.
   */
  createSession(
    session: SessionRecord,
    firstToken: RefreshTokenRecord,
    expectedCredentialVersion: number,
  ): Promise<boolean>;
  getSession(id: string): Promise<SessionRecord | null>;
  /**
   * Insert a server session, only if its user exists with `credential_version =
   * expectedCredentialVersion` — the same fence as `createSession`. Resolves false, inserting
   * nothing, otherwise.
   */
  createServerSession(session: ServerSessionRecord, expectedCredentialVersion: number): Promise<boolean>;
  /**
   * A server session (kind `server` only) with its user, in ONE statement (an indexed lookup by
   * id joined with the user row), revoked or not; null when there is none.
   */
  getServerSession(id: string): Promise<{ session: ServerSessionRecord; user: UserRecord } | null>;
  /**
   * The fields of `getServerSession` that a validation reads (same answer, same null cases: kind
   * `server` only, revoked or not), in ONE statement that reads no more than it returns.
   */
  checkServerSession(id: string): Promise<ServerSessionCheck | null>;
  /**
   * Record a use of a live server session (last-used time and client context; a null `ip` or
   * `userAgent` keeps the stored one), only if it is not
   * revoked and its `lastUsedAt < lastUsedBefore`, in one conditional statement. Resolves whether
   * it wrote.
   */
  touchServerSession(input: TouchServerSessionInput): Promise<boolean>;
  /**
   * Sessions of a user (token and server) that are neither revoked nor past `expiresAt` at `now` —
   * nor, for a server session, idle since `lastUsedAt + idleTimeoutMs` — newest first.
   */
  listActiveSessions(userId: string, now: number): Promise<SessionRecord[]>;
  /** A refresh token together with its session, or null. */
  getRefreshToken(id: string): Promise<{ token: RefreshTokenRecord; session: SessionRecord } | null>;
  /**
   * The atomic step of rotation: mark `tokenId` used and insert the successor in one transaction,
   * only if `tokenId` was unused AND its session is neither revoked nor past `expiresAt` at `now`
   * (compare-and-set, in one statement or under the session row's lock, so a rotation can never
   * commit after a revocation of its family). Of any number of concurrent calls for one token,
   * exactly one gets `rotated`, with the user's token epoch read in the same transaction; an
   * unused token of a dead session gets `revoked`. Also records `now`/ip/userAgent as the session's last use,
   * and, when `input.audit` is given, appends that event in the same transaction (winner only).
   */
  rotateRefreshToken(input: RotateInput): Promise<RotateOutcome>;
  /**
   * Revoke one session (family) and record a `session` revocation event. Returns false when it
   * was already revoked or does not exist (nothing is written then).
   */
  revokeSession(sessionId: string, now: number, reason: string): Promise<boolean>;
  /**
   * Revoke every live session of a user (but `exceptSessionId`), bump the user's token epoch and
   * record the revocation events, in one transaction. Returns the new epoch and revoked ids.
   */
  revokeUserSessions(input: RevokeUserSessionsInput): Promise<{ epoch: number; revokedSessionIds: string[] }>;
  /**
   * THE fence of every credential change, in one transaction: write `passwordHash` (when given),
   * bump the credential version and the token epoch, revoke every live session of the user but
   * `exceptSessionId`, and record the revocation events. A concurrent `createSession` that read
   * the old version inserts nothing. Resolves null (writing nothing) when there is no such user.
   */
  changeCredentials(input: ChangeCredentialsInput): Promise<ChangeCredentialsResult | null>;
  /** What the access-token liveness check needs, in one read; null when the user is gone. */
  getAccessState(userId: string, sessionId: string): Promise<AccessState | null>;

  // revocation feed
  /** Revocation events with `cursor > after`, oldest first. */
  listRevocations(after: number, limit: number): Promise<RevocationEvent[]>;

  // signing keys
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Apply inserts and updates in one transaction. */
  applyKeyChanges(changes: KeyChanges): Promise<void>;

  // audit
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>;

  // DPoP (RFC 9449)
  /**
   * Remember a DPoP proof id until `expiresAt` (ms). Resolves `true` the first time `key` is seen,
   * `false` while an earlier entry with that key has not expired at `now` — atomically (one
   * `INSERT … ON CONFLICT DO NOTHING`-style statement): of any number of concurrent calls with
   * one key, exactly one gets `true`. Expired entries go in `purge`.
   */
  rememberDpopJti(key: string, expiresAt: number, now: number): Promise<boolean>;

  // mail tokens (password reset, address verification)
  /**
   * Insert a mail token and, in the same transaction, mark every unused token of the same user
   * and purpose used (superseded): only the newest link works.
   */
  createMailToken(token: MailTokenRecord): Promise<void>;
  getMailToken(tokenHash: string): Promise<MailTokenRecord | null>;
  /**
   * Compare-and-set: mark the token used only if it has this purpose, is unused and
   * `expiresAt > now`; resolves the user id then, else null. Of any number of concurrent calls for
   * one token exactly one gets the user id.
   */
  redeemMailToken(tokenHash: string, purpose: MailTokenPurpose, now: number): Promise<string | null>;
  /** Mark the user's address verified. Resolves false when there is no such user. */
  setEmailVerified(userId: string): Promise<boolean>;

  // housekeeping
  /**
   * Delete what can no longer matter: sessions (with their tokens) past `expiresAt` at `now`,
   * server sessions idle past their idle timeout at `now`, or sessions revoked before `revocationsBefore`; wipe `successorSealed` of tokens used before
   * `sealedBefore`; revocation events older than `revocationsBefore`; audit events older than
   * `auditBefore`; DPoP proof ids, login tickets and mail tokens that expired by `now`.
   */
  purge(input: {
    now: number;
    sealedBefore: number;
    revocationsBefore: number;
    auditBefore: number;
  }): Promise<void>;
}
