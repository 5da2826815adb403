import type { ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";

/**
 * Revoke every live session of a user and bump the token epoch (as the user's own logout-all).
 * Returns how many sessions were revoked, or null when there is no such user.
 *
 * @example
 * const revoked = await revokeUserSessions(rt, userId, null);
 */
export async function revokeUserSessions(
  rt: Runtime,
  userId: string,
  context: ClientContext | null,
): Promise<number | null> {
  if ((await rt.store.getUserById(userId)) === null) return null;
  const { epoch, revokedSessionIds } = await rt.store.revokeUserSessions({
    userId,
    now: rt.clock.now(),
    reason: "admin",
  });
  await rt.audit({
    type: "user.sessions_revoked",
    userId,
    context,
    data: { by: "admin", epoch, revokedSessions: revokedSessionIds.length },
  });
  return revokedSessionIds.length;
}
