import { TesseraError } from "../errors.js";

/** A role name: lower-case, starts with a letter, at most 64 characters. */
export const ROLE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;
/** How many roles one user may hold. */
export const MAX_ROLES = 32;

/**
 * Check role names given by an administrator: each must match {@link ROLE_NAME}; duplicates are
 * dropped and the list sorted. Throws `invalid_input` for a bad name or more than
 * {@link MAX_ROLES}.
 *
 * @example
 * checkRoles(["admin", "support"]); // ["admin", "support"]
 */
export function checkRoles(roles: readonly unknown[]): string[] {
  if (!Array.isArray(roles)) throw new TesseraError("invalid_input", "roles must be a list");
  for (const role of roles) {
    if (typeof role !== "string" || !ROLE_NAME.test(role)) {
      throw new TesseraError("invalid_input", "a role name is invalid");
    }
  }
  const unique = [...new Set(roles as string[])].sort();
  if (unique.length > MAX_ROLES) throw new TesseraError("invalid_input", `at most ${MAX_ROLES} roles`);
  return unique;
}
