import type { AccessTokenClaims, ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";
import { checkOwnPassword } from "./credentials.js";

/**
 * Delete the caller's account after re-checking the password (`invalid_credentials`): the user,
 * every session and refresh token go, and the epoch bump makes every access token dead.
 *
 * @example
 * await deleteAccount(rt, claims, { password, context });
 */
export async function deleteAccount(
  rt: Runtime,
  claims: AccessTokenClaims,
  input: { password: string; context: ClientContext },
): Promise<void> {
  const user = await checkOwnPassword(rt, claims.sub, input.password);
  await deleteUser(rt, user.id, input.context, "self");
}

/**
 * Delete a user by id (also the admin path). Returns false when there was no such user.
 *
 * @example
 * await deleteUser(rt, userId, null, "admin");
 */
export async function deleteUser(
  rt: Runtime,
  userId: string,
  context: ClientContext | null,
  by: "self" | "admin",
): Promise<boolean> {
  const deleted = await rt.store.deleteUser(userId, rt.clock.now());
  if (deleted) await rt.audit({ type: "user.deleted", userId, context, data: { by } });
  return deleted;
}
