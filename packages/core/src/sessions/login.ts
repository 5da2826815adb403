import type { ClientContext, TokenSet } from "../api.js";
import { TesseraError } from "../errors.js";
import { parseScope } from "../permissions/scope.js";
import type { Runtime } from "../runtime.js";
import { checkCredentials } from "../users/credentials.js";
import { mustVerifyEmail } from "../users/email-verification.js";
import { checkLoginOptions } from "./login-options.js";
import { startSession } from "./start.js";

/**
 * Sign in with e-mail and password: start a new session (refresh-token family) with its first
 * refresh token, and issue an access token. The session records the login's client context and,
 * when given, the DPoP key thumbprint it is bound to. A disabled user's right password fails with
 * `account_disabled`, a wrong one with `invalid_credentials`; with `emailVerification: "required"`
 * an unverified address's right password fails with `email_unverified`.
 *
 * @example
 * const set = await login(rt, { email, password, context: { ip, userAgent } });
 */
export async function login(
  rt: Runtime,
  input: { email: string; password: string; context: ClientContext; scope?: string; dpopJkt?: string },
): Promise<TokenSet> {
  checkLoginOptions(input);
  // Refused before the password check costs anything: a malformed scope is the caller's mistake.
  parseScope(input.scope);
  const user = await checkCredentials(rt, input.email, input.password, input.context);
  const refuse = async (reason: string, error: TesseraError): Promise<never> => {
    await rt.audit({
      type: "login.failed",
      outcome: "failure",
      userId: user.id,
      context: input.context,
      data: { reason },
    });
    throw error;
  };
  if (mustVerifyEmail(rt, user)) {
    // Only after a correct password: a wrong one stays `invalid_credentials`.
    await refuse(
      "email_unverified",
      new TesseraError("email_unverified", "the e-mail address is not verified"),
    );
  }
  // The fence: a credential change or deletion that committed since the password was checked
  // makes this insert nothing, and the login fails as if the password had been wrong.
  const set = await startSession(rt, { ...input, user });
  if (set === null) {
    return refuse(
      "credentials_changed",
      new TesseraError("invalid_credentials", "invalid e-mail or password"),
    );
  }
  const who = { userId: user.id, sessionId: set.sessionId, context: input.context };
  await rt.audit({ type: "login.succeeded", ...who });
  await rt.audit({ type: "token.issued", ...who, data: { grant: "password" } });
  return set;
}
