import type { ClientContext, TokenSet } from "../api.js";
import { TesseraError } from "../errors.js";
import { parseScope } from "../permissions/scope.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
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
  const user = await checkPasswordLogin(rt, input);
  // The fence: a credential change or deletion that committed since the password was checked
  // makes this insert nothing, and the login fails as if the password had been wrong.
  const set = await startSession(rt, { ...input, user });
  if (set === null) return refuseFencedLogin(rt, user, input.context);
  const who = { userId: user.id, sessionId: set.sessionId, context: input.context };
  await rt.audit({ type: "login.succeeded", ...who });
  await rt.audit({ type: "token.issued", ...who, data: { grant: "password" } });
  return set;
}

/**
 * The password check of every password login (token or server session): the credentials
 * (`invalid_credentials`, `account_disabled`), then, with `emailVerification: "required"`, the
 * verified address (`email_unverified`). Failures are audited as `login.failed`.
 *
 * @example
 * const user = await checkPasswordLogin(rt, { email, password, context });
 */
export async function checkPasswordLogin(
  rt: Runtime,
  input: { email: string; password: string; context: ClientContext },
): Promise<UserRecord> {
  const user = await checkCredentials(rt, input.email, input.password, input.context);
  if (mustVerifyEmail(rt, user)) {
    // Only after a correct password: a wrong one stays `invalid_credentials`.
    await auditLoginFailed(rt, user, input.context, "email_unverified");
    throw new TesseraError("email_unverified", "the e-mail address is not verified");
  }
  return user;
}

/**
 * A login whose fenced session insert wrote nothing (a credential change or deletion committed
 * since the password was checked): audited, and failed as if the password had been wrong.
 *
 * @example
 * if (!(await rt.store.createSession(...))) return refuseFencedLogin(rt, user, context);
 */
export async function refuseFencedLogin(
  rt: Runtime,
  user: UserRecord,
  context: ClientContext,
): Promise<never> {
  await auditLoginFailed(rt, user, context, "credentials_changed");
  throw new TesseraError("invalid_credentials", "invalid e-mail or password");
}

async function auditLoginFailed(rt: Runtime, user: UserRecord, context: ClientContext, reason: string) {
  await rt.audit({ type: "login.failed", outcome: "failure", userId: user.id, context, data: { reason } });
}
