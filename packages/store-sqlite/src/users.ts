import type { UserRecord } from "@tessera/core";
import { TesseraError } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { recordRevocation } from "./revocations.js";
import { limitOf, toUser, USER_COLUMNS, type UserRow } from "./rows.js";

/** Users; deletion also logs a `user` revocation with the bumped epoch. */
export function userOperations(h: SqliteHandle) {
  const deleteUser = h.immediate((userId: string, now: number): boolean => {
    const user = h.sql("SELECT token_epoch AS epoch FROM users WHERE id = ?").get(userId) as
      | { epoch: number }
      | undefined;
    if (!user) return false;
    // Sessions and refresh tokens go with the user (ON DELETE CASCADE).
    h.sql("DELETE FROM users WHERE id = ?").run(userId);
    recordRevocation(h, { kind: "user", userId, sessionId: null, epoch: user.epoch + 1, at: now });
    return true;
  });

  return {
    deleteUser,

    createUser(user: UserRecord): void {
      // Only an e-mail clash is absorbed here; an id clash still fails as a primary-key violation.
      const result = h
        .sql(
          `INSERT INTO users (id, email, password_hash, created_at, token_epoch, credential_version,
             roles, disabled_at, email_verified)
           VALUES (@id, @email, @passwordHash, @createdAt, @tokenEpoch, @credentialVersion, @roles,
             @disabledAt, @emailVerified)
           ON CONFLICT (email) DO NOTHING`,
        )
        .run({ ...user, roles: JSON.stringify(user.roles), emailVerified: user.emailVerified ? 1 : 0 });
      if (result.changes === 0)
        throw new TesseraError("email_taken", "the e-mail address is already registered");
    },

    getUserById(id: string): UserRecord | null {
      return toUser(h.sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined);
    },

    getUserByEmail(email: string): UserRecord | null {
      return toUser(
        h.sql(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(email) as UserRow | undefined,
      );
    },

    listUsers(options: { limit?: number; afterId?: string } = {}): UserRecord[] {
      const rows = h
        .sql(`SELECT ${USER_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?`)
        .all(options.afterId ?? "", limitOf(options.limit, 1000)) as UserRow[];
      return rows.map((row) => toUser(row) as UserRecord);
    },

    updatePasswordHash(userId: string, passwordHash: string): void {
      h.sql("UPDATE users SET password_hash = ? WHERE id = ?").run(passwordHash, userId);
    },

    updateUserEmail(userId: string, email: string): boolean {
      try {
        return h.sql("UPDATE users SET email = ? WHERE id = ?").run(email, userId).changes > 0;
      } catch (error) {
        if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") {
          throw new TesseraError("email_taken", "the e-mail address is already registered");
        }
        throw error;
      }
    },

    enableUser(userId: string): boolean {
      return h.sql("UPDATE users SET disabled_at = NULL WHERE id = ?").run(userId).changes > 0;
    },

    replacePasswordHash(userId: string, expectedHash: string, newHash: string): boolean {
      const result = h
        .sql("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
        .run(newHash, userId, expectedHash);
      return result.changes === 1;
    },
  };
}
