import type { AdminUserView, ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import { supersedeMailTokens } from "../mail/send-mail-token.js";
import { changeRoles } from "../permissions/change-roles.js";
import { checkRoles } from "../permissions/roles.js";
import type { Runtime } from "../runtime.js";
import { fenceCredentialChange } from "../users/credential-fence.js";
import { disableUser, enableUser } from "../users/disable.js";
import { normaliseEmail } from "../users/email.js";
import { checkPasswordPolicy, preparePassword } from "../users/passwords.js";
import { getAdminUser } from "./find-users.js";

/** What an administrator may change on a user. */
export interface AdminUserChanges {
  email?: string;
  password?: string;
  /** The user's whole new list of roles. */
  roles?: readonly string[];
  disabled?: boolean;
}

/**
 * Apply an administrator's changes to a user. Every input is checked before anything is written
 * (`invalid_input`, `weak_password`), so a refused change changes nothing; then in order: the
 * e-mail (`email_taken`, the only check that needs the write itself, so it goes first; every
 * unused reset or verification link, mailed to the old address, stops working), the roles
 * (as `changeRoles`: a role removed bumps the epoch, sessions stay), a new password (through the
 * credential fence: every session revoked, the epoch bumped), `disabled: true` (the fence again)
 * or `disabled: false`. `not_found` for an unknown user. Returns the user as now stored.
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
  const roles = changes.roles === undefined ? undefined : checkRoles(changes.roles);

  if (email !== undefined && email !== before.email) {
    if (!(await rt.store.updateUserEmail(userId, email))) throw new TesseraError("not_found", "no such user");
    // Links mailed to the old address must not reset the password or verify the new address.
    await supersedeMailTokens(rt, userId);
    await rt.audit({ type: "user.email_changed", userId, context, data: { by: "admin" } });
  }
  if (roles !== undefined) {
    const add = roles.filter((role) => !before.roles.includes(role));
    const remove = before.roles.filter((role) => !roles.includes(role));
    if (add.length > 0 || remove.length > 0) await changeRoles(rt, before, { add, remove });
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
