import type { Runtime } from "../runtime.js";
import { checkPolicy, type RolePolicy, rolesLosingPermissions } from "./policy.js";

/** How often a lost compare-and-set (another instance applied a policy meanwhile) is retried. */
const ATTEMPTS = 5;

function parseStored(text: string | null): RolePolicy {
  if (text === null) return {};
  try {
    return checkPolicy(JSON.parse(text));
  } catch {
    // An unreadable stored policy is treated as empty: nothing is bumped for it.
    return {};
  }
}

/**
 * Compare the configured role policy with the one last applied to the store and record it. A
 * permission removed from a role (or a role removed) takes effect like a role removal: every
 * user holding such a role gets the token epoch bumped, in the same transaction, so earlier
 * access tokens carrying the permission are refused. Instances starting together apply it once
 * (compare-and-set on the stored text). Returns the number of users whose epoch was bumped.
 *
 * @example
 * const bumped = await syncRolePolicy(rt);
 */
export async function syncRolePolicy(rt: Runtime): Promise<number> {
  const policy = JSON.stringify(rt.policy);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await rt.store.getRolePolicy();
    if (stored === policy) return 0;
    const bumpRoles = rolesLosingPermissions(parseStored(stored), rt.policy);
    const result = await rt.store.applyRolePolicy({
      expected: stored,
      policy,
      bumpRoles,
      now: rt.clock.now(),
    });
    if (result.applied) {
      await rt.audit({
        type: "roles.policy_applied",
        context: null,
        data: { narrowedRoles: bumpRoles.join(" "), bumpedUsers: result.bumpedUsers },
      });
      return result.bumpedUsers;
    }
  }
  return 0;
}
