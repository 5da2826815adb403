import type { ClientContext } from "../api.js";
import { isTesseraError, TesseraError } from "../errors.js";
import { presentedTokenHash } from "../mail/mail-token.js";
import { sendMailToken } from "../mail/send-mail-token.js";
import type { Runtime } from "../runtime.js";
import { fenceCredentialChange } from "./credential-fence.js";
import { normaliseEmail } from "./email.js";
import { checkPasswordPolicy, preparePassword } from "./passwords.js";

function resetEnabled(rt: Runtime): void {
  if (!rt.options.passwordReset) throw new TesseraError("not_found", "password reset is off");
}

/**
 * Mail a reset link to the account of `email`, if there is one and it is not disabled (a disabled
 * account gets no mail: only an administrator enables it again); resolve the same way either way,
 * with no password hashing on either path (and no wait for the mail), so neither the answer nor
 * its timing says whether the account exists.
 *
 * @example
 * await requestPasswordReset(rt, { email, context });
 */
export async function requestPasswordReset(
  rt: Runtime,
  input: { email: string; context: ClientContext },
): Promise<void> {
  resetEnabled(rt);
  let email: string;
  try {
    email = normaliseEmail(input.email);
  } catch (error) {
    if (isTesseraError(error, "invalid_input")) return; // as unknown as an unknown address
    throw error;
  }
  const user = await rt.store.getUserByEmail(email);
  if (user === null || user.disabledAt !== null) return;
  // Audited first: a reset link never leaves without its event (this runs after the 202 is sent,
  // so a failed audit write can only stop the mail, and is logged by the route).
  await rt.audit({ type: "password.reset_requested", userId: user.id, context: input.context });
  await sendMailToken(rt, user, "password_reset");
}

const invalidToken = () => new TesseraError("invalid_token", "the link is invalid or has expired");

/**
 * Set a new password with a reset token. The token must be a live, unused reset token
 * (`invalid_token` otherwise); the new password must pass the policy (`weak_password`, and the
 * token stays usable). Then the token is consumed by compare-and-set — of concurrent redemptions
 * exactly one proceeds — and the password is set through the credential fence, which revokes
 * every session and bumps the epoch in the same transaction. The address counts as verified: the
 * link reached it. A disabled user's token (mailed before the account was disabled) is refused with
 * `account_disabled` and stays unused; a disable that commits after this check still holds, as
 * login refuses a disabled user whatever the password.
 *
 * @example
 * await resetPassword(rt, { token, newPassword, context });
 */
export async function resetPassword(
  rt: Runtime,
  input: { token: string; newPassword: string; context: ClientContext },
): Promise<void> {
  resetEnabled(rt);
  const tokenHash = presentedTokenHash(input.token);
  if (tokenHash === null) throw invalidToken();
  const record = await rt.store.getMailToken(tokenHash);
  if (
    record === null ||
    record.purpose !== "password_reset" ||
    record.usedAt !== null ||
    record.expiresAt <= rt.clock.now()
  ) {
    throw invalidToken();
  }
  const user = await rt.store.getUserById(record.userId);
  if (user === null) throw invalidToken();
  if (user.disabledAt !== null) throw new TesseraError("account_disabled", "the account is disabled");
  const password = preparePassword(input.newPassword);
  checkPasswordPolicy(password, user.email);
  const passwordHash = await rt.hasher.hash(password);
  const userId = await rt.store.redeemMailToken(tokenHash, "password_reset", rt.clock.now());
  if (userId === null) throw invalidToken();
  const changed = await fenceCredentialChange(rt, { userId, reason: "password_reset", passwordHash });
  if (changed === null) throw invalidToken();
  await rt.store.setEmailVerified(userId);
  await rt.audit({
    type: "password.reset",
    userId,
    context: input.context,
    data: { epoch: changed.epoch, revokedSessions: changed.revokedSessionIds.length },
  });
}
