import type { ApplyRolePolicyInput, ChangeUserRolesInput, ChangeUserRolesResult } from "@tessera/core";
import { TesseraError } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { recordRevocation } from "./revocations.js";

/** User roles and the applied role policy; a removal bumps the epoch in the same transaction. */
export function roleOperations(h: SqliteHandle) {
  const bump = (userId: string, now: number): number => {
    const { epoch } = h
      .sql("UPDATE users SET token_epoch = token_epoch + 1 WHERE id = ? RETURNING token_epoch AS epoch")
      .get(userId) as { epoch: number };
    recordRevocation(h, { kind: "user", userId, sessionId: null, epoch, at: now });
    return epoch;
  };

  const changeUserRoles = h.immediate((input: ChangeUserRolesInput): ChangeUserRolesResult | null => {
    const row = h.sql("SELECT roles, token_epoch AS epoch FROM users WHERE id = ?").get(input.userId) as
      | { roles: string; epoch: number }
      | undefined;
    if (!row) return null;
    const before = JSON.parse(row.roles) as string[];
    const next = new Set([...before, ...input.add]);
    for (const role of input.remove) next.delete(role);
    const roles = [...next].sort();
    if (roles.length > input.maxRoles) {
      throw new TesseraError("invalid_input", `at most ${input.maxRoles} roles`);
    }
    h.sql("UPDATE users SET roles = ? WHERE id = ?").run(JSON.stringify(roles), input.userId);
    const removed = before.filter((role) => !next.has(role));
    const epoch = removed.length > 0 ? bump(input.userId, input.now) : row.epoch;
    return { roles, removed, epoch };
  });

  const applyRolePolicy = h.immediate((input: ApplyRolePolicyInput) => {
    const stored = h.sql("SELECT policy FROM role_policy WHERE id = 1").pluck().get() as string | undefined;
    if ((stored ?? null) !== input.expected) return { applied: false, bumpedUsers: 0 };
    h.sql(
      `INSERT INTO role_policy (id, policy, applied_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, applied_at = excluded.applied_at`,
    ).run(input.policy, input.now);
    if (input.bumpRoles.length === 0) return { applied: true, bumpedUsers: 0 };
    const holders = h
      .sql(
        `SELECT id FROM users WHERE EXISTS (
           SELECT 1 FROM json_each(users.roles) r WHERE r.value IN (SELECT value FROM json_each(?)))`,
      )
      .pluck()
      .all(JSON.stringify(input.bumpRoles)) as string[];
    for (const userId of holders) bump(userId, input.now);
    return { applied: true, bumpedUsers: holders.length };
  });

  return {
    changeUserRoles,
    applyRolePolicy,

    listHeldRoles(): Array<{ role: string; users: number }> {
      return h
        .sql(
          `SELECT r.value AS role, COUNT(*) AS users FROM users, json_each(users.roles) r
           GROUP BY r.value ORDER BY r.value`,
        )
        .all() as Array<{ role: string; users: number }>;
    },

    getRolePolicy(): string | null {
      return (
        (h.sql("SELECT policy FROM role_policy WHERE id = 1").pluck().get() as string | undefined) ?? null
      );
    },
  };
}
