import type { AdminUserView } from "../api.js";
import type { UserRecord } from "../store.js";

/**
 * What an administrator sees of a user: never the password hash, epoch or credential version.
 *
 * @example
 * const view = toAdminUserView(record);
 */
export function toAdminUserView(user: UserRecord): AdminUserView {
  return {
    id: user.id,
    email: user.email,
    roles: [...user.roles],
    disabled: user.disabledAt !== null,
    emailVerified: user.emailVerified,
    createdAt: user.createdAt,
  };
}
