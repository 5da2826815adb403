import { findRefreshCookie, type SetCookie } from "./cookies.js";
import type { Reply } from "./http.js";
import { stringField } from "./http.js";
import type { RunContext } from "./run-context.js";

/** One login of the test account, as a browser would hold it. */
export interface Session {
  cookieName: string;
  /** The refresh cookie value currently held. */
  cookie: string;
  /** Every refresh cookie value received, oldest first. */
  chain: string[];
  csrf: string | undefined;
  accessToken: string;
  /** The `Set-Cookie` of the login answer. */
  loginCookie: SetCookie | undefined;
  loginReply: Reply;
}

/** Logs in; the answer is returned as is when it is not a usable browser login. */
export async function login(ctx: RunContext, email: string, password: string): Promise<Session | Reply> {
  const reply = await ctx.http.request("POST", "/auth/login", { body: { email, password } });
  const accessToken = stringField(reply, "access_token");
  if (reply.status !== 200 || accessToken === undefined) return reply;
  ctx.redact.add(accessToken);
  const cookie = findRefreshCookie(reply.setCookies);
  ctx.redact.add(cookie?.value);
  let csrf = stringField(reply, "csrf_token");
  if (csrf === undefined && cookie !== undefined) {
    const fetched = await ctx.http.request("GET", "/auth/csrf", {
      headers: { cookie: `${cookie.name}=${cookie.value}` },
    });
    csrf = stringField(fetched, "csrf_token");
  }
  ctx.redact.add(csrf);
  return {
    cookieName: cookie?.name ?? "",
    cookie: cookie?.value ?? "",
    chain: cookie === undefined ? [] : [cookie.value],
    csrf,
    accessToken,
    loginCookie: cookie,
    loginReply: reply,
  };
}

export interface CookieRequest {
  /** `null` sends no `X-CSRF-Token`; a string sends that value; default: the session's token. */
  csrf?: string | null;
  origin?: string;
  /** Refresh cookie value to present instead of the current one. */
  cookie?: string;
}

function cookieHeaders(session: Session, request: CookieRequest): Record<string, string> {
  const headers: Record<string, string> = {
    cookie: `${session.cookieName}=${request.cookie ?? session.cookie}`,
  };
  const csrf = request.csrf === undefined ? session.csrf : request.csrf;
  if (csrf !== null && csrf !== undefined) headers["x-csrf-token"] = csrf;
  if (request.origin !== undefined) headers.origin = request.origin;
  return headers;
}

/** `POST /auth/refresh` with the session's cookie; a successful answer is adopted (new cookie and token). */
export async function refresh(
  ctx: RunContext,
  session: Session,
  request: CookieRequest = {},
): Promise<Reply> {
  const reply = await ctx.http.request("POST", "/auth/refresh", { headers: cookieHeaders(session, request) });
  if (reply.status === 200) {
    const accessToken = stringField(reply, "access_token");
    ctx.redact.add(accessToken);
    if (accessToken !== undefined) session.accessToken = accessToken;
    const next = findRefreshCookie(reply.setCookies);
    if (next !== undefined && next.value !== "") {
      ctx.redact.add(next.value);
      session.cookie = next.value;
      if (!session.chain.includes(next.value)) session.chain.push(next.value);
    }
  }
  return reply;
}

/** `POST /auth/logout` with the session's cookie. */
export function logout(ctx: RunContext, session: Session, request: CookieRequest = {}): Promise<Reply> {
  return ctx.http.request("POST", "/auth/logout", { headers: cookieHeaders(session, request) });
}

/** `GET /auth/me` with a Bearer token. */
export function me(ctx: RunContext, token: string): Promise<Reply> {
  return ctx.http.request("GET", "/auth/me", { headers: { authorization: `Bearer ${token}` } });
}
