/**
 * The records a `Store` keeps: users, login tickets, mail tokens, sessions (token and server),
 * refresh tokens and signing keys. All times are milliseconds since the Unix epoch.
 */

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
  /**
   * The user's credential version when the ticket was made: redemption fails once it has moved on
   * (a password set, changed or reset since), like a password login fenced on the version it read.
   * Null only for tickets stored before this field existed.
   */
  credentialVersion: number | null;
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
  /**
   * Started with "keep me signed in" (`remember=on`): its cookie lives as long as the session
   * rather than the browser. A password change carries it over to the session that replaces it.
   */
  remember: boolean;
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
