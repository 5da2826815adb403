import { randomUUID } from "node:crypto";
import type { ClientContext, TokenSet } from "../api.js";
import { parseScope } from "../permissions/scope.js";
import type { Runtime } from "../runtime.js";
import type { RefreshTokenRecord, SessionRecord, UserRecord } from "../store.js";
import { formatRefreshToken, generateRefreshToken, hashRefreshSecret } from "../tokens/refresh.js";
import { issueTokenSet } from "./issue.js";

/**
 * Start a session (refresh-token family) for a user whose credentials were just checked — by a
 * password (login) or a login ticket — and issue its first token set. The session is inserted only
 * while the user still has the credential version read before the check (the fence against a
 * concurrent credential change, disabling or deletion); null when it was not, having written nothing.
 * Auditing is the caller's.
 *
 * @example
 * const set = await startSession(rt, { user, context });
 */
export async function startSession(
  rt: Runtime,
  input: {
    user: UserRecord;
    context: ClientContext;
    scope?: string | undefined;
    dpopJkt?: string | undefined;
  },
): Promise<TokenSet | null> {
  const { user } = input;
  // The session remembers the scope asked (none = everything the user holds); each token gets
  // it intersected with what the user's roles grant at that moment.
  const asked = parseScope(input.scope);
  const now = rt.clock.now();
  const session: SessionRecord = {
    ...newSessionRecord(rt, { id: randomUUID(), userId: user.id, context: input.context, now }),
    scope: asked === undefined ? null : asked.join(" "),
    dpopJkt: input.dpopJkt ?? null,
  };
  const parts = generateRefreshToken(now);
  const first: RefreshTokenRecord = {
    id: parts.id,
    sessionId: session.id,
    secretHash: hashRefreshSecret(parts.secret),
    createdAt: now,
    expiresAt: Math.min(now + rt.options.refreshTtlMs, session.expiresAt),
    usedAt: null,
    successorId: null,
    successorSealed: null,
  };
  if (!(await rt.store.createSession(session, first, user.credentialVersion))) return null;
  return issueTokenSet(rt, { user, session, refreshToken: formatRefreshToken(parts), now });
}

/**
 * The record of a session starting at `now` (token or server): live, its absolute end
 * `sessionMaxAgeMs` away, the login's client context as both first and last; no scope, unbound.
 *
 * @example
 * const session = newSessionRecord(rt, { id, userId, context, now });
 */
export function newSessionRecord(
  rt: Runtime,
  input: { id: string; userId: string; context: ClientContext; now: number },
): SessionRecord {
  const { ip, userAgent } = input.context;
  return {
    id: input.id,
    userId: input.userId,
    clientId: rt.options.clientId,
    scope: null,
    createdAt: input.now,
    expiresAt: input.now + rt.options.sessionMaxAgeMs,
    lastUsedAt: input.now,
    revokedAt: null,
    revokedReason: null,
    ip,
    userAgent,
    lastIp: ip,
    lastUserAgent: userAgent,
    dpopJkt: null,
  };
}
