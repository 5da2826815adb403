import type { ApplyRolePolicyInput, ChangeUserRolesInput, ChangeUserRolesResult } from "@tessera/core";
import { TesseraError } from "@tessera/core";
import type { Db } from "./db.js";
import { appendRevocations } from "./revocations.js";

/**
 * Add and remove roles under the user's row lock; a removal bumps the epoch and appends the `user`
 * revocation event in the same transaction (sessions untouched).
 */
export async function changeUserRoles(
  db: Db,
  input: ChangeUserRolesInput,
): Promise<ChangeUserRolesResult | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ roles: string[]; token_epoch: number }>(
      "SELECT roles, token_epoch FROM tessera_users WHERE id = $1 FOR UPDATE",
      [input.userId],
    );
    if (!row) return null;
    const next = new Set([...row.roles, ...input.add]);
    for (const role of input.remove) next.delete(role);
    const roles = [...next].sort();
    if (roles.length > input.maxRoles) {
      throw new TesseraError("invalid_input", `at most ${input.maxRoles} roles`);
    }
    const removed = row.roles.filter((role) => !next.has(role));
    const bump = removed.length > 0 ? 1 : 0;
    const [updated] = await tx.query<{ token_epoch: number }>(
      "UPDATE tessera_users SET roles = $2, token_epoch = token_epoch + $3 WHERE id = $1 RETURNING token_epoch",
      [input.userId, roles, bump],
    );
    const epoch = updated?.token_epoch ?? row.token_epoch;
    if (bump === 1) {
      await appendRevocations(tx, [
        { kind: "user", userId: input.userId, sessionId: null, epoch, at: input.now },
      ]);
    }
    return { roles, removed, epoch };
  });
}

/** Compare-and-set the stored policy; bump every holder of `bumpRoles` in the same transaction. */
export async function applyRolePolicy(
  db: Db,
  input: ApplyRolePolicyInput,
): Promise<{ applied: boolean; bumpedUsers: number }> {
  return db.transaction(async (tx) => {
    // The row lock (or, for the first policy, the key) serialises instances starting together.
    await tx.query(
      "INSERT INTO tessera_role_policy (id, policy, applied_at) VALUES (1, '', 0) ON CONFLICT DO NOTHING",
    );
    const [stored] = await tx.query<{ policy: string; applied_at: number }>(
      "SELECT policy, applied_at FROM tessera_role_policy WHERE id = 1 FOR UPDATE",
    );
    const current = stored === undefined || stored.applied_at === 0 ? null : stored.policy;
    if (current !== input.expected) return { applied: false, bumpedUsers: 0 };
    await tx.query("UPDATE tessera_role_policy SET policy = $1, applied_at = $2 WHERE id = 1", [
      input.policy,
      input.now,
    ]);
    if (input.bumpRoles.length === 0) return { applied: true, bumpedUsers: 0 };
    const bumped = await tx.query<{ id: string; token_epoch: number }>(
      `UPDATE tessera_users SET token_epoch = token_epoch + 1 WHERE roles && $1::text[]
       RETURNING id, token_epoch`,
      [input.bumpRoles],
    );
    await appendRevocations(
      tx,
      bumped.map((u) => ({
        kind: "user",
        userId: u.id,
        sessionId: null,
        epoch: u.token_epoch,
        at: input.now,
      })),
    );
    return { applied: true, bumpedUsers: bumped.length };
  });
}

export async function listHeldRoles(db: Db): Promise<Array<{ role: string; users: number }>> {
  const rows = await db.query<{ role: string; users: string }>(
    "SELECT r AS role, COUNT(*) AS users FROM tessera_users, unnest(roles) AS r GROUP BY r ORDER BY r",
  );
  return rows.map((row) => ({ role: row.role, users: Number(row.users) }));
}

export async function getRolePolicy(db: Db): Promise<string | null> {
  const [row] = await db.query<{ policy: string; applied_at: number }>(
    "SELECT policy, applied_at FROM tessera_role_policy WHERE id = 1",
  );
  return row === undefined || row.applied_at === 0 ? null : row.policy;
}
