import { csrfMatches, csrfTokenOf } from "../csrf.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { assertFamilyLive } from "./liveness.js";
import { type FoundRefreshToken, findRefreshToken } from "./lookup.js";

/**
 * The CSRF token of the session a refresh token belongs to, for a page reload. Checks the token
 * without using it: it must be the family's current token, or the previous one within the grace
 * window (a racing tab may still send it); otherwise `refresh_invalid` / `refresh_expired` /
 * `session_*`. Never a reuse trigger. A DPoP-bound family is no cookie session (bound families
 * are body-delivery ones): its tokens are `refresh_invalid` here, so a thief holding one without
 * the key learns no CSRF token.
 *
 * @example
 * const csrf = await csrfTokenForRefreshToken(rt, cookieValue);
 */
export async function csrfTokenForRefreshToken(rt: Runtime, refreshToken: string): Promise<string> {
  const found = await findRefreshToken(rt, refreshToken);
  if (found === null || found.session.dpopJkt !== null) {
    throw new TesseraError("refresh_invalid", "refresh token invalid");
  }
  assertTokenCurrent(rt, found, rt.clock.now());
  return csrfTokenOf(rt.csrfKey, found.session.id);
}

/**
 * Throws unless `found` still opens its session without being used: the family is live, and the
 * token is unused and unexpired, or used within the grace window. What a CSRF failure checks
 * first, so that a dead session is told apart (401) from a forged request (403).
 *
 * @example
 * assertTokenCurrent(rt, found, rt.clock.now()); // refresh_invalid | refresh_expired | session_*
 */
export function assertTokenCurrent(rt: Runtime, found: FoundRefreshToken, now: number): void {
  assertFamilyLive(found.session, now);
  const { usedAt, expiresAt } = found.token;
  if (usedAt !== null && now >= usedAt + rt.options.refreshGraceMs) {
    throw new TesseraError("refresh_invalid", "refresh token invalid");
  }
  if (usedAt === null && now >= expiresAt) throw new TesseraError("refresh_expired", "refresh token expired");
}

/**
 * Whether `csrfToken` is the CSRF token of the refresh token's session (constant-time). False for
 * an unknown refresh token and for one of a DPoP-bound family (no cookie session). Consumes
 * nothing, so a failed check leaves the refresh token usable.
 *
 * @example
 * if (!(await checkCsrfForRefreshToken(rt, cookieValue, header))) reply(403);
 */
export async function checkCsrfForRefreshToken(
  rt: Runtime,
  refreshToken: string,
  csrfToken: string,
): Promise<boolean> {
  if (typeof csrfToken !== "string" || csrfToken.length === 0) return false;
  const found = await findRefreshToken(rt, refreshToken);
  return (
    found !== null && found.session.dpopJkt === null && csrfMatches(rt.csrfKey, found.session.id, csrfToken)
  );
}
