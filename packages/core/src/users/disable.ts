import type { ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";
import { fenceCredentialChange } from "./credential-fence.js";

/**
 * Disable a user (admin API, CLI): through the credential fence, in one transaction, the user is
 * marked disabled, every session is revoked and the token epoch bumped, so every access token is
 * rejected wherever revocation is checked and a login racing the change leaves no session. A
 * disabled user's right password answers `account_disabled`. Returns false when there is no such
 * user. Disabling an already disabled user revokes again (there is nothing left to revoke).
 *
 * @example
 * await disableUser(rt, userId, null);
 */
export async function disableUser(
  rt: Runtime,
  userId: string,
  context: ClientContext | null,
): Promise<boolean> {
  const changed = await fenceCredentialChange(rt, {
    userId,
    reason: "user_disabled",
    disabledAt: rt.clock.now(),
  });
  if (changed === null) return false;
  await rt.audit({
    type: "user.disabled",
    userId,
    context,
    data: { by: "admin", epoch: changed.epoch, revokedSessions: changed.revokedSessionIds.length },
  });
  return true;
}

/**
 * Enable a disabled user again. Sessions revoked by disabling stay revoked: the user logs in anew.
 * Returns false when there is no such user.
 *
 * @example
 * await enableUser(rt, userId, null);
 */
export async function enableUser(
  rt: Runtime,
  userId: string,
  context: ClientContext | null,
): Promise<boolean> {
  const enabled = await rt.store.enableUser(userId);
  if (enabled) await rt.audit({ type: "user.enabled", userId, context, data: { by: "admin" } });
  return enabled;
}
