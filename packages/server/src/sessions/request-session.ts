import type { ClientContext, ServerSessionUser, ServerSessionView, ValidServerSession } from "@tessera/core";
import { type Answer, errorAnswer } from "./answers.js";
import { isUnsafeMethod, originAllowed, synchronizerTokenMatches } from "./csrf-check.js";
import type { ResolvedSessionAuth } from "./options.js";
import { CLEAR_SESSION_COOKIE, readSessionCookie } from "./session-cookie.js";

type Headers = Record<string, string | string[] | undefined>;

/** What the adapters put on the request: both null for a visitor without a live session. */
export interface RequestSession {
  session: ServerSessionView | null;
  user: ServerSessionUser | null;
  /** The cookie value sent, if any (a login replaces it; a logout revokes it). */
  cookieValue: string | undefined;
  /** Set-Cookie values to append to whatever answer the request gets. */
  cookies: string[];
}

/**
 * The first step of every request, before the body is read: an unsafe method must come from one
 * of the app's origins (else 403 `csrf_failed`, nothing else done); then the session cookie, if
 * any, is validated through core. A cookie that no longer opens a session is cleared.
 *
 * @example
 * const opened = await openRequestSession(auth, request.method, request.headers, context);
 * if ("deny" in opened) return send(opened.deny);
 */
export async function openRequestSession(
  auth: ResolvedSessionAuth,
  method: string,
  headers: Headers,
  context: ClientContext,
): Promise<{ deny: Answer } | RequestSession> {
  if (isUnsafeMethod(method) && !originAllowed(headers, auth.origins))
    return { deny: errorAnswer("csrf_failed") };
  const cookieValue = readSessionCookie(headers.cookie);
  const found: ValidServerSession | null =
    cookieValue === undefined ? null : await auth.tessera.sessions.validate(cookieValue, context);
  return {
    session: found?.session ?? null,
    user: found?.user ?? null,
    cookieValue,
    cookies: cookieValue !== undefined && found === null ? [CLEAR_SESSION_COOKIE] : [],
  };
}

/**
 * The second step, once the body is parsed and before any handler: an unsafe request with a
 * session must carry the session's synchronizer token (`X-CSRF-Token` or `_csrf`).
 *
 * @example
 * const deny = synchronizerDenial(method, request.session, headers, request.body);
 */
export function synchronizerDenial(
  method: string,
  session: ServerSessionView | null,
  headers: Headers,
  body: unknown,
): Answer | null {
  if (session === null || !isUnsafeMethod(method)) return null;
  return synchronizerTokenMatches(session.csrfToken, headers, body) ? null : errorAnswer("csrf_failed");
}
