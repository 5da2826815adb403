import type { AccessTokenClaims, ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import { presentedTokenHash } from "../mail/mail-token.js";
import { sendMailToken } from "../mail/send-mail-token.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";

/**
 * Whether a login of `user` must be refused with `email_unverified`: `emailVerification:
 * "required"` and the address not verified. Password and ticket logins apply the same rule.
 *
 * @example
 * if (mustVerifyEmail(rt, user)) throw new TesseraError("email_unverified", "…");
 */
export function mustVerifyEmail(rt: Runtime, user: UserRecord): boolean {
  return rt.options.emailVerification === "required" && !user.emailVerified;
}

/**
 * Mail a verification link (24 hours; a newer one supersedes it) unless verification is off or
 * the address is verified already.
 *
 * @example
 * await sendVerification(rt, user, context);
 */
export async function sendVerification(
  rt: Runtime,
  user: UserRecord,
  context: ClientContext | null,
): Promise<void> {
  if (rt.options.emailVerification === "off" || user.emailVerified) return;
  await sendMailToken(rt, user, "email_verification");
  await rt.audit({ type: "email.verification_sent", userId: user.id, context });
}

/** The caller's own new verification mail (`POST /auth/email/resend`). */
export async function resendVerification(
  rt: Runtime,
  claims: AccessTokenClaims,
  context: ClientContext,
): Promise<void> {
  const user = await rt.store.getUserById(claims.sub);
  if (user !== null) await sendVerification(rt, user, context);
}

/**
 * Redeem a verification token (compare-and-set, single use) and mark the address verified;
 * `invalid_token` for anything but a live, unused verification token.
 *
 * @example
 * await verifyEmail(rt, { token, context });
 */
export async function verifyEmail(
  rt: Runtime,
  input: { token: string; context: ClientContext },
): Promise<void> {
  const tokenHash = presentedTokenHash(input.token);
  const userId =
    tokenHash === null
      ? null
      : await rt.store.redeemMailToken(tokenHash, "email_verification", rt.clock.now());
  if (userId === null || !(await rt.store.setEmailVerified(userId))) {
    throw new TesseraError("invalid_token", "the link is invalid or has expired");
  }
  await rt.audit({ type: "email.verified", userId, context: input.context });
}
