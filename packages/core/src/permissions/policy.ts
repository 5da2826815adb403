import { ROLE_NAME } from "./roles.js";
import { SCOPE_TOKEN } from "./scope.js";

/** What each role grants: role name → permissions (RFC 6749 §3.3 scope tokens). */
export type RolePolicy = Readonly<Record<string, readonly string[]>>;

/**
 * Check a role policy and return it normalised (permissions de-duplicated and sorted, roles in
 * name order, frozen). Throws a `TypeError` naming the first fault.
 *
 * @example
 * checkPolicy({ admin: ["users:write", "users:read"] }); // { admin: ["users:read", "users:write"] }
 */
export function checkPolicy(policy: unknown): RolePolicy {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw new TypeError("roles must be an object of role name → permission list");
  }
  const out: Record<string, readonly string[]> = {};
  for (const role of Object.keys(policy).sort()) {
    if (!ROLE_NAME.test(role)) throw new TypeError(`role name "${role.slice(0, 70)}" is invalid`);
    const permissions = (policy as Record<string, unknown>)[role];
    if (!Array.isArray(permissions)) throw new TypeError(`role "${role}" must list its permissions`);
    for (const permission of permissions) {
      if (typeof permission !== "string" || !SCOPE_TOKEN.test(permission)) {
        throw new TypeError(`role "${role}" has a permission that is not a scope token (RFC 6749 §3.3)`);
      }
    }
    out[role] = Object.freeze([...new Set(permissions as string[])].sort());
  }
  return Object.freeze(out);
}

/**
 * Every permission the roles grant, in policy order; a role absent from the policy grants none.
 *
 * @example
 * permissionsOf({ admin: ["users:write"] }, ["admin", "ghost"]); // ["users:write"]
 */
export function permissionsOf(policy: RolePolicy, roles: readonly string[]): string[] {
  const granted = new Set<string>();
  for (const role of roles) {
    for (const permission of Object.hasOwn(policy, role) ? (policy[role] ?? []) : []) granted.add(permission);
  }
  return [...granted];
}

/**
 * Every permission of any role in the policy, sorted (RFC 8414 `scopes_supported`).
 *
 * @example
 * allPermissions({ a: ["x"], b: ["x", "y"] }); // ["x", "y"]
 */
export function allPermissions(policy: RolePolicy): string[] {
  return [...new Set(Object.values(policy).flat())].sort();
}

/**
 * The roles that grant less under `next` than under `previous`: users holding one of them lose a
 * permission, so their earlier access tokens must stop working.
 *
 * @example
 * rolesLosingPermissions({ a: ["x", "y"] }, { a: ["x"] }); // ["a"]
 */
export function rolesLosingPermissions(previous: RolePolicy, next: RolePolicy): string[] {
  return Object.keys(previous).filter((role) => {
    const kept = new Set(Object.hasOwn(next, role) ? next[role] : []);
    return (previous[role] ?? []).some((permission) => !kept.has(permission));
  });
}
