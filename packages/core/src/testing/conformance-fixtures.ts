import type {
  AuditEvent,
  RefreshTokenRecord,
  RotateInput,
  SessionRecord,
  Store,
  UserRecord,
} from "../store.js";

/**
 * The fixed "now" of the conformance suite. Every record the suite writes lives near it, except the
 * purge test, which works in its own far-past range so that its cut-offs touch only its own rows.
 */
export const T0 = Date.UTC(2030, 0, 1);
export const DAY = 86_400_000;

/** A collision-free id, so the suite can share a database with other runs and data. */
export function randomId(prefix: string): string {
  return `${prefix}_${globalThis.crypto.randomUUID().replaceAll("-", "")}`;
}

export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: randomId("usr"),
    email: `${randomId("u")}@example.test`,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
    createdAt: T0,
    tokenEpoch: 0,
    credentialVersion: 0,
    roles: [],
    disabledAt: null,
    emailVerified: false,
    ...overrides,
  };
}

export function makeSession(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomId("ses"),
    kind: "token",
    userId,
    clientId: "conformance-client",
    scope: "openid profile",
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    lastUsedAt: T0,
    revokedAt: null,
    revokedReason: null,
    ip: "192.0.2.10",
    userAgent: "Conformance/1.0",
    lastIp: "192.0.2.10",
    lastUserAgent: "Conformance/1.0",
    dpopJkt: null,
    dpopBoundAt: null,
    ...overrides,
  };
}

export function makeToken(
  sessionId: string,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  return {
    id: randomId("rt"),
    sessionId,
    secretHash: randomId("hash"),
    createdAt: T0,
    expiresAt: T0 + 7 * DAY,
    usedAt: null,
    successorId: null,
    successorSealed: null,
    ...overrides,
  };
}

/** The input of one rotation of `token` at `now`, with a fresh successor. */
export function rotation(token: RefreshTokenRecord, now: number, ip = "198.51.100.7"): RotateInput {
  return {
    tokenId: token.id,
    now,
    successor: makeToken(token.sessionId, { createdAt: now, expiresAt: now + 7 * DAY }),
    successorSealed: randomId("sealed"),
    ip,
    userAgent: "Conformance/2.0",
  };
}

export interface Seeded {
  user: UserRecord;
  session: SessionRecord;
  token: RefreshTokenRecord;
}

/** A new user with one session and its first refresh token. */
export async function seedSession(
  store: Store,
  options: { user?: Partial<UserRecord>; session?: Partial<SessionRecord> } = {},
): Promise<Seeded> {
  const user = makeUser(options.user);
  await store.createUser(user);
  const { session, token } = await addSession(store, user.id, options.session);
  return { user, session, token };
}

/** One more session (with its first token) for an existing user. */
export async function addSession(
  store: Store,
  userId: string,
  overrides: Partial<SessionRecord> = {},
): Promise<{ session: SessionRecord; token: RefreshTokenRecord }> {
  const session = makeSession(userId, overrides);
  const token = makeToken(session.id, { createdAt: session.createdAt });
  if (!(await store.createSession(session, token, 0))) throw new Error("the fixture session was not created");
  return { session, token };
}

export function makeAudit(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: T0,
    type: "conformance.event",
    outcome: "success",
    userId: null,
    sessionId: null,
    ip: "203.0.113.5",
    userAgent: "Conformance/1.0",
    data: {},
    ...overrides,
  };
}

/** The cursor of the newest revocation event, so a test can read only what it caused. */
export async function latestCursor(store: Store): Promise<number> {
  let cursor = 0;
  for (;;) {
    const page = await store.listRevocations(cursor, 1000);
    const last = page.at(-1);
    if (!last) return cursor;
    // A store that answers `cursor >= after` would loop here forever; fail instead.
    if (last.cursor <= cursor) throw new Error("listRevocations returned an event at or before `after`");
    cursor = last.cursor;
  }
}

/** The rejection of `promise`, failing when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject, but it resolved");
}
