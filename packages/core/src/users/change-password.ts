import type { AccessTokenClaims, ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";
import { checkOwnPassword } from "./credentials.js";
import { checkPasswordPolicy, preparePassword } from "./passwords.js";

/**
 * Change the caller's password: check the current one (`invalid_credentials`), apply the policy
 * to the new one (`weak_password`), then revoke every other session and bump the token epoch, so
 * every access token issued before now — the caller's too — is rejected. The caller's own
 * session survives and refreshes to a token of the new epoch.
 *
 * @example
 * await changePassword(rt, claims, { currentPassword, newPassword, context });
 */
export async function changePassword(
  rt: Runtime,
  claims: AccessTokenClaims,
  input: { currentPassword: string; newPassword: string; context: ClientContext },
): Promise<void> {
  const user = await checkOwnPassword(rt, claims.sub, input.currentPassword);
  const password = preparePassword(input.newPassword);
  checkPasswordPolicy(password, user.email);
  await rt.store.updatePasswordHash(user.id, await rt.hasher.hash(password));
  const { epoch, revokedSessionIds } = await rt.store.revokeUserSessions({
    userId: user.id,
    now: rt.clock.now(),
    reason: "password_changed",
    exceptSessionId: claims.sid,
  });
  await rt.audit({
    type: "user.password_changed",
    userId: user.id,
    sessionId: claims.sid,
    context: input.context,
    data: { epoch, revokedSessions: revokedSessionIds.length },
  });
}
