import type { PublicUser } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
import { checkRoles, MAX_ROLES } from "./roles.js";

/**
 * Add and remove roles of a user, atomically in the store. Removing a role the user held bumps
 * the user's token epoch in the same transaction (with a `user` revocation event, so verifiers
 * fed by the revocation feed or the Redis push refuse earlier access tokens too); sessions stay
 * alive, and their next refresh carries the new roles. Adding roles revokes nothing.
 * Audited as `user.roles_changed`.
 *
 * @example
 * await changeRoles(rt, user, { add: ["support"], remove: ["admin"] });
 */
export async function changeRoles(
  rt: Runtime,
  user: UserRecord,
  change: { add?: readonly string[]; remove?: readonly string[] },
): Promise<PublicUser> {
  const add = checkRoles(change.add ?? []);
  const remove = checkRoles(change.remove ?? []);
  const result = await rt.store.changeUserRoles({
    userId: user.id,
    add,
    remove,
    maxRoles: MAX_ROLES,
    now: rt.clock.now(),
  });
  if (result === null) throw new TesseraError("not_found", "no such user");
  const added = result.roles.filter((role) => !user.roles.includes(role));
  await rt.audit({
    type: "user.roles_changed",
    userId: user.id,
    context: null,
    data: { added: added.join(" "), removed: result.removed.join(" "), epoch: result.epoch },
  });
  return { id: user.id, email: user.email, roles: result.roles };
}
