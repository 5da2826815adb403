import type { AccessTokenClaims, ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { findRefreshToken } from "./lookup.js";

/**
 * Revoke one family and audit it. Returns whether this call revoked it (false when it was already
 * revoked or gone).
 *
 * @example
 * await revokeFamily(rt, { sessionId, userId, reason: "logout", context });
 */
export async function revokeFamily(
  rt: Runtime,
  input: { sessionId: string; userId: string | null; reason: string; context: ClientContext | null },
): Promise<boolean> {
  const revoked = await rt.store.revokeSession(input.sessionId, rt.clock.now(), input.reason);
  if (revoked) {
    await rt.audit({
      type: "session.revoked",
      userId: input.userId,
      sessionId: input.sessionId,
      context: input.context,
      data: { reason: input.reason },
    });
  }
  return revoked;
}

/**
 * Logout: revoke the family of a refresh token (any token of the family whose secret matches).
 * Unknown, malformed or already dead tokens are a no-op, so logout always "succeeds". So are
 * tokens of a DPoP-bound family: this is the cookie logout, and a bound family is revoked only
 * with a proof of its key (`revokeToken` with the proof's thumbprint).
 *
 * @example
 * await logout(rt, { refreshToken, context });
 */
export async function logout(
  rt: Runtime,
  input: { refreshToken: string; context: ClientContext },
): Promise<void> {
  const found = await findRefreshToken(rt, input.refreshToken);
  if (found === null || found.session.dpopJkt !== null) return;
  await revokeFamily(rt, {
    sessionId: found.session.id,
    userId: found.session.userId,
    reason: "logout",
    context: input.context,
  });
}

/**
 * Logout everywhere: revoke every family of the caller and bump their token epoch, so every
 * access token issued before now is rejected — including the caller's.
 *
 * @example
 * await logoutAll(rt, claims, context);
 */
export async function logoutAll(
  rt: Runtime,
  claims: AccessTokenClaims,
  context: ClientContext,
): Promise<void> {
  const { epoch, revokedSessionIds } = await rt.store.revokeUserSessions({
    userId: claims.sub,
    now: rt.clock.now(),
    reason: "logout_all",
  });
  await rt.audit({
    type: "user.logout_all",
    userId: claims.sub,
    sessionId: claims.sid,
    context,
    data: { epoch, revokedSessions: revokedSessionIds.length },
  });
}

/**
 * Revoke one of the caller's own sessions (one device). Someone else's session, or an unknown id,
 * is `not_found` — the same answer, so session ids of other users cannot be probed.
 *
 * @example
 * await revokeOwnSession(rt, claims, sessionId, context);
 */
export async function revokeOwnSession(
  rt: Runtime,
  claims: AccessTokenClaims,
  sessionId: string,
  context: ClientContext,
): Promise<void> {
  const session = typeof sessionId === "string" ? await rt.store.getSession(sessionId) : null;
  if (session === null || session.userId !== claims.sub)
    throw new TesseraError("not_found", "no such session");
  await revokeFamily(rt, { sessionId, userId: claims.sub, reason: "revoked_by_user", context });
}
