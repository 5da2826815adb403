import { isTesseraError, type TesseraErrorCode } from "@tessera/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { RouteContext } from "../routes/route-context.js";
import { HttpError } from "./http-error.js";
import { checkOrigin } from "./origin.js";
import { clearRefreshCookie, readRefreshCookie } from "./refresh-cookie.js";
import { singleHeader } from "./single-header.js";

/** Core failures meaning "this refresh token no longer opens a session". */
export const DEAD_SESSION_CODES: readonly TesseraErrorCode[] = [
  "refresh_invalid",
  "refresh_expired",
  "refresh_reused",
  "session_revoked",
  "session_expired",
  "context_mismatch",
  "invalid_input",
  "not_found",
];

/**
 * Gate of every cookie-authenticated POST: `Origin` (when present) must be allowed, and
 * `X-CSRF-Token` must equal the session's CSRF token. Nothing is consumed before both pass. A
 * missing or dead cookie is 401 (and the cookie is cleared); a CSRF failure on a live session is
 * 403 `csrf_failed`. Returns the refresh token.
 *
 * @example
 * const refreshToken = await requireCsrfSession(ctx, request, reply);
 */
export async function requireCsrfSession(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<string> {
  const { refreshToken, csrf } = readCsrfSession(ctx, request, reply);
  const matches = await clearOnDeadSession(reply, () => ctx.tessera.checkCsrf(refreshToken, csrf));
  if (!matches) {
    // Tell a dead session (401, so the client logs out) from a forged request (403), still without
    // using the token.
    await clearOnDeadSession(reply, () => ctx.tessera.csrfTokenFor(refreshToken));
    throw new HttpError("csrf_failed");
  }
  return refreshToken;
}

/**
 * The request-only half of {@link requireCsrfSession}: `Origin` allowed, the refresh cookie and a
 * plausible `X-CSRF-Token` present. It does not look the session up: the caller hands both to
 * `tessera.refresh({ csrfToken })`, which checks them on its own lookup before using the token.
 *
 * @example
 * const { refreshToken, csrf } = readCsrfSession(ctx, request, reply);
 */
export function readCsrfSession(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
): { refreshToken: string; csrf: string } {
  checkOrigin(request, ctx.allowedOrigins);
  const refreshToken = readRefreshCookie(request, reply);
  if (refreshToken === undefined) throw new HttpError("refresh_invalid");
  const csrf = singleHeader(request, "x-csrf-token");
  if (csrf === undefined || csrf.length === 0 || csrf.length > 512) throw new HttpError("csrf_failed");
  return { refreshToken, csrf };
}

/**
 * Runs a core call and, when it fails because the session is dead, clears the refresh cookie
 * before the error propagates.
 *
 * @example
 * const csrf = await clearOnDeadSession(reply, () => tessera.csrfTokenFor(refreshToken));
 */
export async function clearOnDeadSession<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTesseraError(error, ...DEAD_SESSION_CODES)) clearRefreshCookie(reply);
    throw error;
  }
}
