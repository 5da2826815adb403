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

import type {
  AccessState,
  AuditEvent,
  AuditFilter,
  ChangeCredentialsInput,
  ChangeCredentialsResult,
  RevocationEvent,
  RevokeUserSessionsInput,
  RotateInput,
  RotateOutcome,
} from "./store-operations.js";
import type {
  KeyChanges,
  LoginTicketRecord,
  MailTokenPurpose,
  MailTokenRecord,
  RefreshTokenRecord,
  ServerSessionCheck,
  ServerSessionRecord,
  SessionRecord,
  SigningKeyRecord,
  TouchServerSessionInput,
  UserRecord,
} from "./store-records.js";
import type { ApplyRolePolicyInput, ChangeUserRolesInput, ChangeUserRolesResult } from "./store-roles.js";

export type * from "./store-operations.js";
export type * from "./store-records.js";

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
   * `exceptSessionId`, record the revocation events, and — unless the change is a disabling —
   * delete the user's unredeemed login tickets. A concurrent `createSession` that read the old
   * version inserts nothing (and a ticket consumed just before carries the old version, which
   * core checks). Resolves null (writing nothing) when there is no such user.
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
