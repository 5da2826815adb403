import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { jsonObject, optionalStringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { clearOnDeadSession, readCsrfSession } from "../http/cookie-session.js";
import { HttpError } from "../http/http-error.js";
import { checkOrigin } from "../http/origin.js";
import { readRefreshCookie, setRefreshCookie } from "../http/refresh-cookie.js";
import { noStore, tokenBody } from "../http/token-body.js";
import type { RouteContext } from "./route-context.js";

/**
 * `POST /auth/refresh` (cookie + `X-CSRF-Token`, optional JSON `{"scope": …}`) → 200 tokens + the rotated cookie, and
 * `GET /auth/csrf` (cookie) → `{csrf_token}` so a reloaded page can recover the CSRF token without
 * the refresh token ever being readable by script.
 */
export function refreshRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/auth/refresh", async (request, reply) => {
    // One lookup: core checks the CSRF token on the session it loads for the rotation, before
    // using the token (a mismatch on a live session is `csrf_invalid`, answered 403 csrf_failed).
    const { refreshToken, csrf } = readCsrfSession(ctx, request, reply);
    // RFC 6749 §6: a refresh may ask for less than the session's scope, for this token only.
    const scope =
      request.body === undefined || request.body === null
        ? undefined
        : optionalStringField(jsonObject(request.body), "scope", 4096);
    let tokens: Awaited<ReturnType<typeof ctx.tessera.refresh>>;
    try {
      tokens = await clearOnDeadSession(reply, () =>
        ctx.tessera.refresh({
          refreshToken,
          csrfToken: csrf,
          context: clientContext(request),
          ...(scope === undefined ? {} : { scope }),
        }),
      );
    } catch (error) {
      // A forged request is not a failed refresh (the token was never tried), as before.
      if (!isTesseraError(error, "csrf_invalid")) countRefreshFailure(ctx, error);
      throw error;
    }
    ctx.metrics.refreshes.inc({ outcome: "success" });
    setRefreshCookie(reply, tokens.refreshToken, tokens.sessionExpiresAt, ctx.now());
    return noStore(reply).send(tokenBody(tokens));
  });

  app.get("/auth/csrf", async (request, reply) => {
    checkOrigin(request, ctx.allowedOrigins);
    const refreshToken = readRefreshCookie(request, reply);
    if (refreshToken === undefined) throw new HttpError("refresh_invalid");
    const csrfToken = await clearOnDeadSession(reply, () => ctx.tessera.csrfTokenFor(refreshToken));
    return noStore(reply).send({ csrf_token: csrfToken });
  });
}

/**
 * Counts a failed refresh by its code; a reuse also counts as a detection and a revocation.
 *
 * @example
 * countRefreshFailure(ctx, error);
 */
export function countRefreshFailure(ctx: RouteContext, error: unknown): void {
  const outcome = isTesseraError(error) ? error.code : "error";
  ctx.metrics.refreshes.inc({ outcome });
  if (outcome === "refresh_reused") {
    ctx.metrics.reuseDetections.inc();
    ctx.metrics.revocations.inc({ reason: "reuse_detected" });
  }
  if (outcome === "context_mismatch") ctx.metrics.revocations.inc({ reason: "context_mismatch" });
}
