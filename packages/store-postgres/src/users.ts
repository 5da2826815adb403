import type { UserRecord } from "@tessera/core";
import type { Db } from "./db.js";
import { appendRevocations } from "./revocations.js";
import { limitOf, toUser, type UserRow } from "./rows.js";

const USER_COLUMNS =
  "id, email, password_hash, created_at, token_epoch, credential_version, roles, disabled_at, email_verified";

export async function createUser(db: Db, user: UserRecord): Promise<void> {
  await db.query(`INSERT INTO tessera_users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
    user.id,
    user.email,
    user.passwordHash,
    user.createdAt,
    user.tokenEpoch,
    user.credentialVersion,
    user.roles,
    user.disabledAt,
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

/** Compare-and-set of the same password's hash: one conditional UPDATE. */
export async function replacePasswordHash(
  db: Db,
  userId: string,
  expectedHash: string,
  newHash: string,
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    "UPDATE tessera_users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 RETURNING id",
    [userId, expectedHash, newHash],
  );
  return rows.length === 1;
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

/** Change the e-mail; the unique constraint answers `email_taken`. False: no such user. */
export async function updateUserEmail(db: Db, userId: string, email: string): Promise<boolean> {
  const rows = await db.query("UPDATE tessera_users SET email = $2 WHERE id = $1 RETURNING id", [
    userId,
    email,
  ]);
  return rows.length > 0;
}

/** Clear `disabled_at`; the sessions revoked by disabling stay revoked. False: no such user. */
export async function enableUser(db: Db, userId: string): Promise<boolean> {
  const rows = await db.query("UPDATE tessera_users SET disabled_at = NULL WHERE id = $1 RETURNING id", [
    userId,
  ]);
  return rows.length > 0;
}
