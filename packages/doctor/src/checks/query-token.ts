import { describeReply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

const HINT = "never read tokens from the URL (they land in logs and Referer); answer 400 invalid_request";

/**
 * Presents the access token as `?access_token=` (RFC 6750 §2.3). The token used belongs to a session
 * the doctor revokes moments later, so the copy in the server's access log is already dead.
 */
export async function checkQueryToken(ctx: RunContext, token: string): Promise<void> {
  ctx.step("tokens in the query string");
  const query = `access_token=${encodeURIComponent(token)}`;
  const findings: Finding[] = [];
  const alone = await ctx.http.request("GET", "/auth/me", { query });
  if (alone.status >= 200 && alone.status < 300) {
    findings.push({ status: "fail", detail: "GET /auth/me?access_token=… was accepted", hint: HINT });
  } else if (alone.status >= 500) {
    findings.push({ status: "fail", detail: `?access_token= → ${describeReply(alone)}`, hint: HINT });
  }
  const both = await ctx.http.request("GET", "/auth/me", {
    query,
    headers: { authorization: `Bearer ${token}` },
  });
  if (both.status >= 200 && both.status < 300) {
    findings.push({
      status: "warn",
      detail: "a token in the URL is silently ignored when a header is also sent",
      hint: "answer 400 invalid_request whenever a token appears in the URL, so clients stop sending it",
    });
  }
  ctx.conclude(
    "token.query_string",
    findings,
    `?access_token= → ${describeReply(alone)}; with a header too → ${describeReply(both)}`,
  );
}
