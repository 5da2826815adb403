import {
  type ClientContext,
  isTesseraError,
  type StartedServerSession,
  type TesseraErrorCode,
} from "@tessera/core";
import type { ServerErrorCode } from "../http/error-table.js";
import { failedLoginKey } from "../http/rate-limits.js";
import { type Answer, errorAnswer, redirectAnswer, sameOriginPath } from "./answers.js";
import type { ResolvedSessionAuth } from "./options.js";
import { CLEAR_SESSION_COOKIE, startedSessionCookie } from "./session-cookie.js";

/** What a login or logout request brings, read by the adapter. */
export interface FlowRequest {
  /** The parsed body (form fields or JSON), or anything else: it is checked here. */
  body: unknown;
  /** Whether it was a form post (answers are redirects) rather than JSON. */
  form: boolean;
  /** The session cookie's value, if one was sent. */
  cookieValue: string | undefined;
  context: ClientContext;
}

/** Core failures a login answers with their own code; any other error propagates (503, 500). */
const LOGIN_FAILURES = new Set([
  "invalid_credentials",
  "account_disabled",
  "email_unverified",
  "invalid_input",
]);

function field(body: unknown, name: string, max: number): string | undefined {
  const value =
    body !== null && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" && value.length <= max ? value : undefined;
}

/**
 * `POST loginPath`: the same password check, failure budget and audit events as `/auth/login`.
 * A form post gets 303 to `next` (a same-origin path) or to `loginPath?error=<code>`; JSON gets
 * 200 `{user}` or the error. The new cookie replaces any sent (whose session is revoked).
 *
 * @example
 * const answer = await loginFlow(resolved, { body, form: true, cookieValue, context });
 */
export async function loginFlow(auth: ResolvedSessionAuth, request: FlowRequest): Promise<Answer> {
  const fail = (code: ServerErrorCode | TesseraErrorCode, headers: Record<string, string> = {}) =>
    request.form
      ? redirectAnswer(`${auth.loginPath}?error=${encodeURIComponent(code)}`)
      : errorAnswer(code, headers);
  const email = field(request.body, "email", 320);
  const password = field(request.body, "password", 1024);
  if (email === undefined || password === undefined) return fail("invalid_request");

  const key = failedLoginKey(email, request.context.ip ?? "unknown");
  const reservation = auth.loginLimit ? await auth.counter.reserve(key, auth.loginLimit) : null;
  if (reservation && !reservation.allowed) {
    return fail("rate_limited", {
      "retry-after": String(Math.max(1, Math.ceil(reservation.retryAfterMs / 1000))),
    });
  }
  let started: StartedServerSession;
  try {
    started = await auth.tessera.sessions.login({
      email,
      password,
      context: request.context,
      idleTimeoutMs: auth.idleTimeoutMs,
      replaces: request.cookieValue,
      remember: field(request.body, "remember", 8) === "on",
    });
  } catch (error) {
    // A wrong password stays counted against the budget; anything else is given back.
    if (!isTesseraError(error, "invalid_credentials")) await reservation?.release();
    if (isTesseraError(error) && LOGIN_FAILURES.has(error.code)) return fail(error.code);
    throw error;
  }
  await reservation?.release();
  const cookie = startedSessionCookie(started);
  if (request.form) return redirectAnswer(sameOriginPath(field(request.body, "next", 2048)), [cookie]);
  return {
    status: 200,
    headers: { "cache-control": "no-store" },
    cookies: [cookie],
    json: { user: started.user },
  };
}

/**
 * `POST logoutPath`: the session revoked, the cookie cleared; 303 to `/` (JSON: 204).
 *
 * @example
 * const answer = await logoutFlow(resolved, { body, form, cookieValue, context });
 */
export async function logoutFlow(auth: ResolvedSessionAuth, request: FlowRequest): Promise<Answer> {
  if (request.cookieValue !== undefined)
    await auth.tessera.sessions.logout(request.cookieValue, request.context);
  return request.form
    ? redirectAnswer("/", [CLEAR_SESSION_COOKIE])
    : { status: 204, headers: {}, cookies: [CLEAR_SESSION_COOKIE] };
}
