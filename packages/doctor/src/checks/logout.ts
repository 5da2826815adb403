import { clearsCookie, parseSetCookie } from "../lib/cookies.js";
import type { Reply } from "../lib/http.js";
import { describeReply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";
import { logout, me, refresh, type Session } from "../lib/session.js";

const REVOKE_HINT = "logout must revoke the session's refresh-token family and its access tokens";

function ok(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** Logs the session out and checks it is really over. Returns whether the session ended dead. */
export async function checkLogout(ctx: RunContext, session: Session): Promise<boolean> {
  if (session.cookie === "") {
    ctx.record("session.logout", { status: "skip", detail: "no refresh cookie to log out with", hint: "" });
    return false;
  }
  ctx.step("logout");
  const findings: Finding[] = [];
  let reply = await logout(ctx, session, { csrf: null });
  if (ok(reply)) {
    findings.push({
      status: "warn",
      detail: "logout accepted without X-CSRF-Token",
      hint: "require X-CSRF-Token on logout too, or any site can sign users out",
    });
  } else {
    reply = await logout(ctx, session);
    if (!ok(reply)) {
      findings.push({
        status: "fail",
        detail: `logout with cookie and X-CSRF-Token got ${describeReply(reply)}`,
        hint: REVOKE_HINT,
      });
    }
  }
  if (ok(reply)) {
    const dateHeader = Date.parse(reply.headers.get("date") ?? "");
    const now = Number.isNaN(dateHeader) ? Date.now() : dateHeader;
    const cleared = reply.setCookies
      .map(parseSetCookie)
      .find((c) => c.name === session.cookieName && clearsCookie(c, now));
    if (cleared === undefined) {
      findings.push({
        status: "warn",
        detail: "logout did not expire the refresh cookie",
        hint: "answer logout with a Set-Cookie that expires the cookie, with the same Path",
      });
    }
  }
  const after = await refresh(ctx, session);
  const dead = !ok(after);
  if (!dead)
    findings.push({
      status: "fail",
      detail: "the refresh token still works after logout",
      hint: REVOKE_HINT,
    });
  const access = await me(ctx, session.accessToken);
  if (ok(access)) {
    findings.push({
      status: "warn",
      detail: "the access token still passes /auth/me after logout",
      hint: REVOKE_HINT,
    });
  }
  ctx.conclude(
    "session.logout",
    findings,
    `logout ${describeReply(reply)}, cookie expired; then refresh ${describeReply(after)}, /auth/me ${describeReply(access)}`,
  );
  return dead;
}
