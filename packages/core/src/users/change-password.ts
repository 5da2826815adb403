import type { AccessTokenClaims, ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
import { fenceCredentialChange } from "./credential-fence.js";
import { checkOwnPassword } from "./credentials.js";
import { checkPasswordPolicy, preparePassword } from "./passwords.js";

/**
 * Change the caller's password: check the current one (`invalid_credentials`), apply the policy
 * to the new one (`weak_password`), then — through the credential fence, in one transaction — write
 * the new hash, revoke every other session and bump the token epoch and credential version, so
 * every access token issued before now — the caller's too — is rejected, and a login racing the
 * change with the old password leaves no session behind. The caller's own
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
  const { user, passwordHash } = await checkPasswordChange(rt, claims.sub, input);
  const changed = await fenceCredentialChange(rt, {
    userId: user.id,
    reason: "password_changed",
    passwordHash,
    exceptSessionId: claims.sid,
  });
  if (changed === null) throw new TesseraError("invalid_credentials", "invalid password");
  const { epoch, revokedSessionIds } = changed;
  await rt.audit({
    type: "user.password_changed",
    userId: user.id,
    sessionId: claims.sid,
    context: input.context,
    data: { epoch, revokedSessions: revokedSessionIds.length },
  });
}

/**
 * The checks of a password change by its owner (token or server session): the current password
 * (`invalid_credentials`), the policy for the new one (`weak_password`); then the new hash.
 *
 * @example
 * const { user, passwordHash } = await checkPasswordChange(rt, userId, { currentPassword, newPassword });
 */
export async function checkPasswordChange(
  rt: Runtime,
  userId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<{ user: UserRecord; passwordHash: string }> {
  const user = await checkOwnPassword(rt, userId, input.currentPassword);
  const password = preparePassword(input.newPassword);
  checkPasswordPolicy(password, user.email);
  return { user, passwordHash: await rt.hasher.hash(password) };
}
