import { SERVER_SESSION_COOKIE, type StartedServerSession } from "@tessera/core";

const ATTRIBUTES = "Path=/; HttpOnly; Secure; SameSite=Lax";

/**
 * The `Set-Cookie` value of a server session: `__Host-tessera_session`, HttpOnly, Secure,
 * SameSite=Lax, Path=/, no Domain; a browser-session cookie unless `maxAgeMs` is given
 * (a login with `remember=on`: the session's absolute lifetime).
 *
 * @example
 * reply.header("set-cookie", sessionCookie(started.cookieValue));
 */
export function sessionCookie(value: string, maxAgeMs?: number): string {
  const maxAge = maxAgeMs === undefined ? "" : `; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`;
  return `${SERVER_SESSION_COOKIE}=${value}; ${ATTRIBUTES}${maxAge}`;
}

/**
 * The `Set-Cookie` value of a session just started (a login, a password change): with the
 * session's absolute lifetime as `Max-Age` when it was started with `remember` — or replaces one
 * that was — else a browser-session cookie. Prefer it to `sessionCookie(started.cookieValue)`,
 * which drops a "keep me signed in".
 *
 * @example
 * const started = await tessera.sessions.changePassword(request.session.id, { currentPassword, newPassword, context });
 * reply.header("set-cookie", startedSessionCookie(started));
 */
export function startedSessionCookie(
  started: Pick<StartedServerSession, "cookieValue" | "cookieMaxAgeMs">,
): string {
  return sessionCookie(started.cookieValue, started.cookieMaxAgeMs);
}

/** The `Set-Cookie` value that clears the session cookie (the same attributes, `Max-Age=0`). */
export const CLEAR_SESSION_COOKIE = `${SERVER_SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;

/**
 * The session cookie's value in a `Cookie` header, or undefined. Only the first one counts: a
 * `__Host-` cookie cannot be planted by a subdomain, so there is one.
 *
 * @example
 * readSessionCookie(request.headers.cookie); // "tss_…" | undefined
 */
export function readSessionCookie(header: unknown): string | undefined {
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === SERVER_SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}
