import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
import { parseLegacyHash, verifyLegacyHash } from "./legacy-hashes.js";

/**
 * The stored hash of a user who has no password (imported without one): nothing verifies against
 * it, so the user signs in only by a login ticket or a password reset.
 */
export const NO_PASSWORD_HASH = "!";

/** `$argon2id$…` → `$argon2id$`; null for a hash that is not in PHC / modular-crypt form. */
const schemeOf = (hash: string): string | null => /^\$[a-z0-9-]+\$/.exec(hash)?.[0] ?? null;

/**
 * Check `password` (already NFC) against a user's stored hash at the cost of exactly one hash
 * verification, whatever the user: none (unknown e-mail), no password, or a malformed hash are
 * checked against the dummy hash; the default hasher's own hashes by that hasher; a hash brought
 * by user import (another scheme) by its library, see `verifyLegacyHash`.
 *
 * A legacy hash that matches is replaced at once by the default hasher's hash of the same
 * password, by compare-and-set (`store.replacePasswordHash`): a credential change committed
 * meanwhile is never overwritten (its new hash stays, and the login's session fence on the
 * credential version still refuses this login), and of two concurrent upgrades one writes.
 * Returns the user as it now stands (the new hash when this call wrote it), or null.
 *
 * @example
 * const checked = await verifyStoredPassword(rt, user, password);
 * if (checked === null) throw new TesseraError("invalid_credentials");
 */
export async function verifyStoredPassword(
  rt: Runtime,
  user: UserRecord | null,
  password: string,
): Promise<UserRecord | null> {
  if (user === null || user.passwordHash === NO_PASSWORD_HASH) {
    await rt.hasher.verify(rt.dummyHash, password);
    return null;
  }
  const stored = user.passwordHash;
  const native = schemeOf(rt.dummyHash);
  if (native !== null && stored.startsWith(native)) {
    return (await rt.hasher.verify(stored, password)) ? user : null;
  }
  const legacy = parseLegacyHash(stored);
  if (!legacy.ok) {
    // Not a scheme import accepts: the configured hasher's own format (a custom hasher) or junk.
    return (await rt.hasher.verify(stored, password)) ? user : null;
  }
  if (!(await verifyLegacyHash(legacy.hash, password))) return null;
  const upgraded = await rt.hasher.hash(password);
  if (!(await rt.store.replacePasswordHash(user.id, stored, upgraded))) return user;
  await rt.audit({ type: "user.password_rehashed", userId: user.id, data: { from: legacy.hash.kind } });
  return { ...user, passwordHash: upgraded };
}
