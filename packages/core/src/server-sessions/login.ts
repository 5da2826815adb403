import type { ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { checkPasswordLogin, refuseFencedLogin } from "../sessions/login.js";
import { revokeFamily } from "../sessions/revoke.js";
import { DEFAULT_IDLE_TIMEOUT_MS, startServerSession } from "./start.js";
import type { StartedServerSession } from "./types.js";
import { findServerSession } from "./validate.js";

/**
 * `tessera.sessions.login`: see `ServerSessions.login`. Audited like the token login
 * (`login.succeeded` / `login.failed`), with `data.kind = "server"` on success.
 *
 * @example
 * const started = await loginServerSession(rt, { email, password, context, replaces: cookieValue });
 */
export async function loginServerSession(
  rt: Runtime,
  input: {
    email: string;
    password: string;
    context: ClientContext;
    idleTimeoutMs?: number;
    replaces?: string | undefined;
    remember?: boolean | undefined;
  },
): Promise<StartedServerSession> {
  const idleTimeoutMs = checkIdleTimeout(input.idleTimeoutMs);
  if (input.remember !== undefined && typeof input.remember !== "boolean") {
    throw new TesseraError("invalid_input", "remember must be a boolean");
  }
  if (typeof input.email !== "string" || typeof input.password !== "string") {
    throw new TesseraError("invalid_input", "email and password must be strings");
  }
  const user = await checkPasswordLogin(rt, input);
  const started = await startServerSession(rt, {
    user,
    context: input.context,
    idleTimeoutMs,
    remember: input.remember === true,
    credentialVersion: user.credentialVersion,
  });
  if (started === null) return refuseFencedLogin(rt, user, input.context);
  await rt.audit({
    type: "login.succeeded",
    userId: user.id,
    sessionId: started.session.id,
    context: input.context,
    data: { kind: "server" },
  });
  // A cookie the browser still had is replaced, whoever's it was: a planted session never survives a login.
  if (input.replaces !== undefined) await logoutServerSession(rt, input.replaces, input.context, "replaced");
  return started;
}

/**
 * Revoke the session of a cookie value (audited `session.revoked`); unknown, forged or dead
 * cookies are a no-op.
 *
 * @example
 * await logoutServerSession(rt, cookieValue, context);
 */
export async function logoutServerSession(
  rt: Runtime,
  cookieValue: unknown,
  context: ClientContext,
  reason = "logout",
): Promise<void> {
  const found = await findServerSession(rt, cookieValue);
  if (found === null) return;
  await revokeFamily(rt, { sessionId: found.session.id, userId: found.user.id, reason, context });
}

function checkIdleTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_IDLE_TIMEOUT_MS;
  if (!Number.isSafeInteger(value) || value < 1000) {
    throw new TesseraError("invalid_input", "idleTimeoutMs must be an integer number of milliseconds ≥ 1000");
  }
  return value;
}
