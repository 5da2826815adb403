import type { ClientContext } from "../api.js";
import { csrfTokenOf } from "../csrf.js";
import { heldPermissions } from "../permissions/claims.js";
import type { Runtime } from "../runtime.js";
import { newSessionRecord } from "../sessions/start.js";
import type { ServerSessionCheck, ServerSessionRecord, UserRecord } from "../store.js";
import { hashServerSessionSecret, newServerSessionSecret } from "./cookie.js";
import type { StartedServerSession, ValidServerSession } from "./types.js";

/** Default idle lifetime of a server session. */
export const DEFAULT_IDLE_TIMEOUT_MS = 12 * 60 * 60_000;

/**
 * Insert a new server session for a user whose credentials were just checked (login) or changed
 * (password change) — fenced like a token login: only while the user still has
 * `credentialVersion`. Null, having written nothing, when a credential change, disabling or
 * deletion committed since. Auditing is the caller's. A `remember` session's cookie gets the
 * session's absolute lifetime as its `Max-Age`.
 *
 * @example
 * const started = await startServerSession(rt, { user, context, idleTimeoutMs, remember, credentialVersion: user.credentialVersion });
 */
export async function startServerSession(
  rt: Runtime,
  input: {
    user: UserRecord;
    context: ClientContext;
    idleTimeoutMs: number;
    remember: boolean;
    credentialVersion: number;
  },
): Promise<StartedServerSession | null> {
  const now = rt.clock.now();
  const fresh = newServerSessionSecret();
  const session: ServerSessionRecord = {
    ...newSessionRecord(rt, { id: fresh.id, userId: input.user.id, context: input.context, now }),
    kind: "server",
    secretHash: hashServerSessionSecret(fresh.secret),
    idleTimeoutMs: input.idleTimeoutMs,
    remember: input.remember,
  };
  if (!(await rt.store.createServerSession(session, input.credentialVersion))) return null;
  return {
    cookieValue: fresh.value,
    cookieMaxAgeMs: session.remember ? session.expiresAt - session.createdAt : undefined,
    ...serverSessionView(rt, session, input.user),
  };
}

/**
 * What `validate` answers for a session and its user: the CSRF token derived from the session id
 * (nothing stored), the user's roles and what they grant now. The token is an HMAC computed the
 * first time `csrfToken` is read, then kept: most requests (GETs) never read it. It is an own
 * enumerable property all the same, so spreading, `JSON.stringify` and `structuredClone` see it.
 *
 * @example
 * return serverSessionView(rt, found.session, found.user);
 */
export function serverSessionView(
  rt: Runtime,
  session: ServerSessionCheck["session"],
  user: ServerSessionCheck["user"],
): ValidServerSession {
  const id = session.id;
  let csrfToken: string | undefined;
  return {
    session: {
      id,
      userId: session.userId,
      get csrfToken(): string {
        csrfToken ??= csrfTokenOf(rt.csrfKey, id);
        return csrfToken;
      },
      set csrfToken(value: string) {
        csrfToken = value;
      },
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
    },
    user: {
      id: user.id,
      email: user.email,
      roles: user.roles,
      scope: [...heldPermissions(rt.policy, user)].sort(),
    },
  };
}
