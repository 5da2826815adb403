import type { ClientContext } from "../api.js";
import { isTesseraError, TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
import { normaliseEmail } from "./email.js";
import { preparePassword } from "./passwords.js";
import { verifyStoredPassword } from "./stored-password.js";

/**
 * Check an e-mail and password (an imported legacy hash is verified and upgraded on the way, see
 * `verifyStoredPassword`). An unknown (or malformed) e-mail still costs exactly one hash
 * verification, against a dummy hash made with the same parameters, and ends in the same
 * `invalid_credentials` as a wrong password, so neither the answer nor its timing says whether
 * the account exists. The audit log records which it was (`unknown_user` | `wrong_password`),
 * without the attempted e-mail (people type passwords into the e-mail field). A disabled user's
 * right password fails with `account_disabled`.
 *
 * @example
 * const user = await checkCredentials(rt, email, password, context);
 */
export async function checkCredentials(
  rt: Runtime,
  emailInput: string,
  passwordInput: string,
  context: ClientContext,
): Promise<UserRecord> {
  const password = preparePassword(passwordInput);
  let user: UserRecord | null = null;
  try {
    user = await rt.store.getUserByEmail(normaliseEmail(emailInput));
  } catch (error) {
    if (!isTesseraError(error, "invalid_input")) throw error;
  }
  const checked = await verifyStoredPassword(rt, user, password);
  if (checked === null) {
    await rt.audit({
      type: "login.failed",
      outcome: "failure",
      userId: user?.id ?? null,
      context,
      data: { reason: user === null ? "unknown_user" : "wrong_password" },
    });
    throw new TesseraError("invalid_credentials", "invalid e-mail or password");
  }
  // Only a right password learns that the account is disabled.
  if (checked.disabledAt !== null) {
    await rt.audit({
      type: "login.failed",
      outcome: "failure",
      userId: checked.id,
      context,
      data: { reason: "account_disabled" },
    });
    throw new TesseraError("account_disabled", "the account is disabled");
  }
  return checked;
}

/**
 * Re-check the password of a signed-in user (password change, account deletion).
 * `invalid_credentials` when it is wrong or the user is gone.
 *
 * @example
 * const user = await checkOwnPassword(rt, claims.sub, currentPassword);
 */
export async function checkOwnPassword(
  rt: Runtime,
  userId: string,
  passwordInput: string,
): Promise<UserRecord> {
  const password = preparePassword(passwordInput);
  const user = await verifyStoredPassword(rt, await rt.store.getUserById(userId), password);
  if (user === null) throw new TesseraError("invalid_credentials", "invalid password");
  return user;
}
