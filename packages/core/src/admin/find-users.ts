import type { AdminUserView } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { normaliseEmail } from "../users/email.js";
import { toAdminUserView } from "./user-view.js";

/**
 * Users in id order, `limit` at a time after `afterId`, or the one user with exactly this
 * (normalised) e-mail. `not_found` is never thrown: no match is an empty list.
 *
 * @example
 * const page = await findUsers(rt, { limit: 50, afterId: lastIdOfPreviousPage });
 */
export async function findUsers(
  rt: Runtime,
  options: { email?: string; limit: number; afterId?: string },
): Promise<AdminUserView[]> {
  if (options.email !== undefined) {
    const user = await rt.store.getUserByEmail(normaliseEmail(options.email));
    return user !== null && (options.afterId === undefined || user.id > options.afterId)
      ? [toAdminUserView(user)]
      : [];
  }
  const users = await rt.store.listUsers({
    limit: options.limit,
    ...(options.afterId !== undefined ? { afterId: options.afterId } : {}),
  });
  return users.map(toAdminUserView);
}

/**
 * One user by id or e-mail, as an administrator sees it; `not_found` otherwise.
 *
 * @example
 * const user = await getAdminUser(rt, "ada@example.com");
 */
export async function getAdminUser(rt: Runtime, userIdOrEmail: string): Promise<AdminUserView> {
  const user = await findUserRecord(rt, userIdOrEmail);
  if (user === null) throw new TesseraError("not_found", "no such user");
  return toAdminUserView(user);
}

/**
 * A user record by id, or by e-mail when the text has an `@`; null when there is none.
 *
 * @example
 * const user = await findUserRecord(rt, "ada@example.com");
 */
export async function findUserRecord(rt: Runtime, userIdOrEmail: string) {
  if (!userIdOrEmail.includes("@")) return rt.store.getUserById(userIdOrEmail);
  try {
    return await rt.store.getUserByEmail(normaliseEmail(userIdOrEmail));
  } catch (error) {
    if (error instanceof TesseraError && error.code === "invalid_input") return null;
    throw error;
  }
}
