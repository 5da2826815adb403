import { cookieLifetime, type SetCookie } from "../lib/cookies.js";
import type { Reply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";
import type { CheckId } from "./catalog.js";

const DAY = 86_400;
const COOKIE_IDS = [
  "cookie.prefix",
  "cookie.httponly",
  "cookie.secure",
  "cookie.samesite",
  "cookie.path",
  "cookie.lifetime",
] as const satisfies readonly CheckId[];

/** Judges every refresh-cookie attribute; `now` (ms) resolves `Expires`. */
export function judgeRefreshCookie(
  cookie: SetCookie,
  now: number,
): Record<(typeof COOKIE_IDS)[number], Finding> {
  const a = cookie.attributes;
  const name = cookie.name;
  const hostPrefixed = name.startsWith("__Host-");
  const prefix: Finding =
    hostPrefixed || name.startsWith("__Secure-")
      ? { status: "pass", detail: name }
      : {
          status: "warn",
          detail: `${name} has no __Secure-/__Host- prefix: a sibling subdomain or plain-HTTP page can overwrite it`,
          hint: "name the refresh cookie __Secure-… (or __Host-…)",
        };
  const httponly: Finding = a.has("httponly")
    ? { status: "pass", detail: "HttpOnly" }
    : {
        status: "fail",
        detail: `${name} is readable by page scripts (no HttpOnly)`,
        hint: "set HttpOnly on the refresh cookie so XSS cannot steal it",
      };
  const secure: Finding = a.has("secure")
    ? { status: "pass", detail: "Secure" }
    : {
        status: "fail",
        detail: `${name} may travel over plain HTTP (no Secure)`,
        hint: "set Secure on the refresh cookie (localhost counts as secure)",
      };
  const sameSite = (a.get("samesite") ?? "").toLowerCase();
  const samesiteHint = "set SameSite=Strict on the refresh cookie";
  const samesite: Finding =
    sameSite === "strict"
      ? { status: "pass", detail: "SameSite=Strict" }
      : sameSite === "lax"
        ? {
            status: "warn",
            detail: "SameSite=Lax: sent on top-level navigations from other sites",
            hint: samesiteHint,
          }
        : {
            status: "fail",
            detail:
              sameSite === ""
                ? "no SameSite: some browsers send it cross-site"
                : `SameSite=${a.get("samesite")}: sent cross-site`,
            hint: samesiteHint,
          };
  const pathValue = a.get("path");
  const path: Finding =
    pathValue !== undefined && pathValue !== "/" && pathValue.startsWith("/")
      ? { status: "pass", detail: `Path=${pathValue}` }
      : hostPrefixed && pathValue === "/"
        ? { status: "pass", detail: "Path=/ (required by __Host-)" }
        : {
            status: "warn",
            detail: `Path=${pathValue ?? "(none)"}: the refresh cookie rides along on every request`,
            hint: "limit the refresh cookie to Path=/auth",
          };
  const seconds = cookieLifetime(cookie, now);
  const lifetimeHint =
    "give the cookie a Max-Age no longer than the session (TESSERA_SESSION_MAX_AGE, default 30d)";
  const lifetime: Finding =
    seconds === undefined
      ? { status: "pass", detail: "browser-session cookie" }
      : seconds > 400 * DAY
        ? {
            status: "fail",
            detail: `Max-Age ${Math.round(seconds / DAY)} days: effectively unbounded`,
            hint: lifetimeHint,
          }
        : seconds > 31 * DAY
          ? { status: "warn", detail: `Max-Age ${Math.round(seconds / DAY)} days`, hint: lifetimeHint }
          : { status: "pass", detail: `Max-Age ${(seconds / DAY).toFixed(1)} days` };
  return {
    "cookie.prefix": prefix,
    "cookie.httponly": httponly,
    "cookie.secure": secure,
    "cookie.samesite": samesite,
    "cookie.path": path,
    "cookie.lifetime": lifetime,
  };
}

/** The refresh cookie set at login; reports whether one exists. */
export function checkRefreshCookie(ctx: RunContext, cookie: SetCookie | undefined, reply: Reply): boolean {
  if (cookie === undefined) {
    const detail = `the login answer set no refresh cookie (${reply.setCookies.length} Set-Cookie headers)`;
    ctx.record("cookie.prefix", {
      status: "fail",
      detail,
      hint: "deliver the browser refresh token as an HttpOnly cookie",
    });
    for (const id of COOKIE_IDS) ctx.record(id, { status: "skip", detail, hint: "" });
    return false;
  }
  const dateHeader = Date.parse(reply.headers.get("date") ?? "");
  const verdicts = judgeRefreshCookie(cookie, Number.isNaN(dateHeader) ? Date.now() : dateHeader);
  for (const id of COOKIE_IDS) ctx.record(id, verdicts[id]);
  return true;
}

/** Judges `Cache-Control` of a response carrying tokens. */
export function judgeNoStore(reply: Reply, what: string): Finding {
  const value = reply.headers.get("cache-control") ?? "";
  return /(?:^|,)\s*no-store\s*(?:,|$)/i.test(value)
    ? { status: "pass", detail: `${what}: ${value}` }
    : {
        status: "fail",
        detail: `${what} carries tokens with Cache-Control "${value || "(none)"}"`,
        hint: "send Cache-Control: no-store on every response that carries a token",
      };
}
