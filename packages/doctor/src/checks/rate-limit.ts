import { randomBytes } from "node:crypto";
import type { RunContext } from "../lib/run-context.js";

const HINT =
  "limit failed logins per account and IP (TESSERA_RATE_LIMIT_LOGIN, e.g. 10/15m) and answer 429 with Retry-After";

/** Seconds a `Retry-After` value asks to wait, or `undefined` when it is missing or unusable. */
export function retryAfterSeconds(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}

/**
 * Fails logins for one account until the server answers 429, at most `attempts` times, and stops at
 * the first 429.
 */
export async function checkLoginRateLimit(
  ctx: RunContext,
  email: string,
  attempts: number,
  note: string,
): Promise<void> {
  if (attempts <= 0) {
    ctx.record("rate_limit.login", { status: "skip", detail: "rate-limit probe disabled", hint: "" });
    return;
  }
  const wrong = `doctor-wrong-${randomBytes(12).toString("hex")}`;
  ctx.redact.add(wrong);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    ctx.step(`rate limit (${attempt}/${attempts} failed logins)`);
    const reply = await ctx.http.request("POST", "/auth/login", { body: { email, password: wrong } });
    if (reply.status >= 200 && reply.status < 300) {
      ctx.record("rate_limit.login", {
        status: "fail",
        detail: "a wrong password was accepted",
        hint: "check passwords",
      });
      return;
    }
    if (reply.status !== 429) continue;
    const dateHeader = Date.parse(reply.headers.get("date") ?? "");
    const seconds = retryAfterSeconds(
      reply.headers.get("retry-after"),
      Number.isNaN(dateHeader) ? Date.now() : dateHeader,
    );
    ctx.record(
      "rate_limit.login",
      seconds === undefined
        ? {
            status: "warn",
            detail: `429 after ${attempt} failed logins, but no usable Retry-After`,
            hint: HINT,
          }
        : { status: "pass", detail: `429 after ${attempt} failed logins (${note}), Retry-After ${seconds}s` },
    );
    return;
  }
  // An auth endpoint that never throttles guessing is a finding, not a matter of taste.
  ctx.record("rate_limit.login", {
    status: "fail",
    detail: `no 429 after ${attempts} failed logins (${note}) from one IP`,
    hint: HINT,
  });
}
