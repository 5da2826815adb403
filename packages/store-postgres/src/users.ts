import type { UserRecord } from "@tessera/core";
import type { Db } from "./db.js";
import { appendRevocations } from "./revocations.js";
import { limitOf, toUser, type UserRow } from "./rows.js";

const USER_COLUMNS = "id, email, password_hash, created_at, token_epoch, credential_version, email_verified";

export async function createUser(db: Db, user: UserRecord): Promise<void> {
  await db.query(`INSERT INTO tessera_users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    user.id,
    user.email,
    user.passwordHash,
    user.createdAt,
    user.tokenEpoch,
    user.credentialVersion,
    user.emailVerified,
  ]);
}

export async function getUserById(db: Db, id: string): Promise<UserRecord | null> {
  const [row] = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM tessera_users WHERE id = $1`, [id]);
  return row ? toUser(row) : null;
}

export async function getUserByEmail(db: Db, email: string): Promise<UserRecord | null> {
  const [row] = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM tessera_users WHERE email = $1`, [
    email,
  ]);
  return row ? toUser(row) : null;
}

export async function listUsers(
  db: Db,
  options: { limit?: number; afterId?: string } = {},
): Promise<UserRecord[]> {
  const rows = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM tessera_users WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
    [options.afterId ?? null, limitOf(options.limit, 1000)],
  );
  return rows.map(toUser);
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.query("UPDATE tessera_users SET password_hash = $2 WHERE id = $1", [userId, passwordHash]);
}

/** Bump the epoch, record the `user` event and delete the user (sessions and tokens cascade). */
export async function deleteUser(db: Db, userId: string, now: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [bumped] = await tx.query<{ token_epoch: number }>(
      "UPDATE tessera_users SET token_epoch = token_epoch + 1 WHERE id = $1 RETURNING token_epoch",
      [userId],
    );
    if (!bumped) return false;
    await tx.query("DELETE FROM tessera_users WHERE id = $1", [userId]);
    await appendRevocations(tx, [
      { kind: "user", userId, sessionId: null, epoch: bumped.token_epoch, at: now },
    ]);
    return true;
  });
}
