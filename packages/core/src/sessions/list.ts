import type { SessionView } from "../api.js";
import type { Runtime } from "../runtime.js";
import type { SessionRecord } from "../store.js";

/**
 * The public view of a session (no DPoP thumbprint, no revocation internals).
 *
 * @example
 * const view = toSessionView(record, claims.sid);
 */
export function toSessionView(s: SessionRecord, currentSessionId: string | null): SessionView {
  return {
    id: s.id,
    kind: s.kind ?? "token",
    createdAt: s.createdAt,
    lastUsedAt: s.lastUsedAt,
    expiresAt: s.expiresAt,
    userAgent: s.userAgent,
    ip: s.ip,
    lastIp: s.lastIp,
    lastUserAgent: s.lastUserAgent,
    current: s.id === currentSessionId,
  };
}

/**
 * A user's live sessions, newest first, marking `currentSessionId` as current.
 *
 * @example
 * const sessions = await listSessions(rt, claims.sub, claims.sid);
 */
export async function listSessions(
  rt: Runtime,
  userId: string,
  currentSessionId: string | null,
): Promise<SessionView[]> {
  const sessions = await rt.store.listActiveSessions(userId, rt.clock.now());
  return sessions.map((s) => toSessionView(s, currentSessionId));
}
