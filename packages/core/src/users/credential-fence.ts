import type { Runtime } from "../runtime.js";
import type { ChangeCredentialsResult } from "../store.js";

/** Why the credentials changed; also the revocation reason recorded on the sessions. */
export type CredentialChangeReason =
  | "password_changed"
  | "password_reset"
  | "password_set_by_admin"
  | "user_disabled"
  | "role_removed";

/**
 * THE fence of every credential change (password change, reset, admin-set password, disabling a
 * user, removing a role): in one store transaction the new password hash (when given) is written,
 * the credential version and the token epoch are bumped, and every live session of the user but
 * `exceptSessionId` is revoked. A login that checked the old password can then no longer insert its
 * session (`createSession` is conditional on the version it read), so no session started with the
 * old credentials outlives the change. Returns null when there is no such user. Auditing the change
 * is the caller's, which knows what it was.
 *
 * @example
 * await fenceCredentialChange(rt, { userId, reason: "password_reset", passwordHash });
 */
export async function fenceCredentialChange(
  rt: Runtime,
  input: {
    userId: string;
    reason: CredentialChangeReason;
    passwordHash?: string;
    exceptSessionId?: string;
    /** Disabling: the user is marked disabled at this time, in the same transaction. */
    disabledAt?: number;
  },
): Promise<ChangeCredentialsResult | null> {
  return rt.store.changeCredentials({ ...input, now: rt.clock.now() });
}
