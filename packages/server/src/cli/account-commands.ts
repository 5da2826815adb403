import { AUDIT_TYPES, checkPasswordPolicy, createArgon2Hasher } from "@tessera/core";
import type { AdminContext } from "./admin-context.js";

/** The one-line answer to an unknown `--type`, or null when the type exists. */
export function unknownAuditType(type: string): string | null {
  if ((AUDIT_TYPES as readonly string[]).includes(type)) return null;
  return `--type: unknown event type "${type}"; one of: ${AUDIT_TYPES.join(", ")}`;
}

/**
 * `tessera sessions revoke --all <user>`: ends every session of the user and bumps the token
 * epoch, so every refresh token and access token issued before now is refused (as logout-all
 * does). Resolves with the number of sessions that were live, or null when there is no such user.
 */
export async function logOutEverywhere(admin: AdminContext, userId: string): Promise<number | null> {
  if (!(await admin.store.getUserById(userId))) return null;
  const now = Date.now();
  const { epoch, revokedSessionIds } = await admin.store.revokeUserSessions({
    userId,
    now,
    reason: "logout_all",
  });
  await admin.store.appendAudit({
    at: now,
    type: "user.logout_all",
    outcome: "success",
    userId,
    sessionId: null,
    ip: null,
    userAgent: null,
    data: { epoch, revokedSessions: revokedSessionIds.length, by: "cli" },
  });
  return revokedSessionIds.length;
}

/**
 * `tessera users set-password <user>`: the password policy, argon2id, then every session of the
 * user ends and the token epoch rises (as a password change does, with no session kept). Resolves
 * with the number of sessions ended, or null when there is no such user.
 */
export async function setPassword(
  admin: AdminContext,
  userId: string,
  password: string,
): Promise<number | null> {
  const user = await admin.store.getUserById(userId);
  if (!user) return null;
  const prepared = password.normalize("NFC");
  checkPasswordPolicy(prepared, user.email);
  await admin.store.updatePasswordHash(user.id, await createArgon2Hasher().hash(prepared));
  const now = Date.now();
  const { epoch, revokedSessionIds } = await admin.store.revokeUserSessions({
    userId: user.id,
    now,
    reason: "password_changed",
  });
  await admin.store.appendAudit({
    at: now,
    type: "user.password_changed",
    outcome: "success",
    userId: user.id,
    sessionId: null,
    ip: null,
    userAgent: null,
    data: { epoch, revokedSessions: revokedSessionIds.length, by: "cli" },
  });
  return revokedSessionIds.length;
}
