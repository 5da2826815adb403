import type { AdminUserView, ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { fenceCredentialChange } from "../users/credential-fence.js";
import { disableUser, enableUser } from "../users/disable.js";
import { normaliseEmail } from "../users/email.js";
import { checkPasswordPolicy, preparePassword } from "../users/passwords.js";
import { getAdminUser } from "./find-users.js";

/** What an administrator may change on a user (roles: see the server's admin routes). */
export interface AdminUserChanges {
  email?: string;
  password?: string;
  disabled?: boolean;
}

/**
 * Apply an administrator's changes to a user, each input checked before anything is written
 * (`invalid_input`, `weak_password`), then in order: the e-mail (`email_taken`), a new password
 * (through the credential fence: every session revoked, the epoch bumped), `disabled: true` (the
 * fence again) or `disabled: false`. `not_found` for an unknown user. Returns the user as now stored.
 *
 * @example
 * const user = await updateUser(rt, userId, { password: "a new long passphrase" }, null);
 */
export async function updateUser(
  rt: Runtime,
  userId: string,
  changes: AdminUserChanges,
  context: ClientContext | null,
): Promise<AdminUserView> {
  const before = await rt.store.getUserById(userId);
  if (before === null) throw new TesseraError("not_found", "no such user");
  const email = changes.email === undefined ? undefined : normaliseEmail(changes.email);
  const password = changes.password === undefined ? undefined : preparePassword(changes.password);
  if (password !== undefined) checkPasswordPolicy(password, email ?? before.email);

  if (email !== undefined && email !== before.email) {
    if (!(await rt.store.updateUserEmail(userId, email))) throw new TesseraError("not_found", "no such user");
    await rt.audit({ type: "user.email_changed", userId, context, data: { by: "admin" } });
  }
  if (password !== undefined) {
    const passwordHash = await rt.hasher.hash(password);
    const changed = await fenceCredentialChange(rt, {
      userId,
      reason: "password_set_by_admin",
      passwordHash,
    });
    if (changed === null) throw new TesseraError("not_found", "no such user");
    await rt.audit({
      type: "user.password_set",
      userId,
      context,
      data: { by: "admin", epoch: changed.epoch, revokedSessions: changed.revokedSessionIds.length },
    });
  }
  if (changes.disabled !== undefined) {
    const done = changes.disabled
      ? await disableUser(rt, userId, context)
      : await enableUser(rt, userId, context);
    if (!done) throw new TesseraError("not_found", "no such user");
  }
  return getAdminUser(rt, userId);
}
