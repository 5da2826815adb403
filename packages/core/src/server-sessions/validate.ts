import type { ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";
import type { ServerSessionCheck, ServerSessionRecord, UserRecord } from "../store.js";
import { parseServerSessionCookie, serverSessionSecretMatches } from "./cookie.js";
import { serverSessionView } from "./start.js";
import type { ValidServerSession } from "./types.js";

const MINUTE = 60_000;

/**
 * How often a session's last use is written: at most once per min(1 minute, idle timeout / 4),
 * so an idle timeout is kept to within a quarter of itself and a busy session costs one write a
 * minute, not one a request.
 *
 * @example
 * touchInterval(12 * 3_600_000); // 60_000
 */
export function touchInterval(idleTimeoutMs: number): number {
  return Math.max(1, Math.min(MINUTE, Math.floor(idleTimeoutMs / 4)));
}

/**
 * The stored session and user of a cookie value whose secret matches (constant time), revoked or
 * not; null for a malformed value, an unknown id or a wrong secret. One indexed read.
 *
 * @example
 * const found = await findServerSession(rt, cookieValue);
 */
export function findServerSession(
  rt: Runtime,
  cookieValue: unknown,
): Promise<{ session: ServerSessionRecord; user: UserRecord } | null> {
  return readMatching(cookieValue, (id) => rt.store.getServerSession(id));
}

/** What `read` answers for the cookie's id, if the cookie's secret matches the stored hash. */
async function readMatching<T extends ServerSessionCheck>(
  cookieValue: unknown,
  read: (id: string) => Promise<T | null>,
): Promise<T | null> {
  const parsed = parseServerSessionCookie(cookieValue);
  if (parsed === null) return null;
  const found = await read(parsed.id);
  if (found === null || !serverSessionSecretMatches(parsed.secret, found.session.secretHash)) return null;
  return found;
}

/**
 * Whether a server session opens at `now`: not revoked, before its absolute end, used within its
 * idle timeout, and its user not disabled.
 *
 * @example
 * if (!isServerSessionLive(found.session, found.user, now)) return null;
 */
export function isServerSessionLive(
  session: ServerSessionCheck["session"],
  user: ServerSessionCheck["user"],
  now: number,
): boolean {
  return (
    session.revokedAt === null &&
    now < session.expiresAt &&
    now < session.lastUsedAt + session.idleTimeoutMs &&
    user.disabledAt === null
  );
}

/**
 * `tessera.sessions.validate`: see `ServerSessions.validate`. Nothing is cached: every call reads
 * the session and the user in one statement (`checkServerSession`: only the columns a check
 * needs), so a revocation or role change that committed is seen by the next request on every
 * instance.
 *
 * @example
 * const found = await validateServerSession(rt, request.cookies["__Host-tessera_session"], context);
 */
export async function validateServerSession(
  rt: Runtime,
  cookieValue: unknown,
  context?: ClientContext,
): Promise<ValidServerSession | null> {
  const found = await readMatching(cookieValue, (id) => rt.store.checkServerSession(id));
  if (found === null) return null;
  const { session, user } = found;
  const now = rt.clock.now();
  if (!isServerSessionLive(session, user, now)) return null;
  const interval = touchInterval(session.idleTimeoutMs);
  if (now - session.lastUsedAt >= interval) {
    // A null ip or user agent keeps the stored one (the store's COALESCE), so it is never read.
    await rt.store.touchServerSession({
      sessionId: session.id,
      now,
      ip: context?.ip ?? null,
      userAgent: context?.userAgent ?? null,
      lastUsedBefore: now - interval + 1,
    });
  }
  return serverSessionView(rt, session, user);
}
