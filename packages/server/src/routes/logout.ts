import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { clientContext } from "../http/client-context.js";
import { DEAD_SESSION_CODES, requireCsrfSession } from "../http/cookie-session.js";
import { HttpError } from "../http/http-error.js";
import { checkOrigin } from "../http/origin.js";
import { clearRefreshCookie, readRefreshCookie } from "../http/refresh-cookie.js";
import type { RouteContext } from "./route-context.js";

/**
 * `POST /auth/logout` (cookie + `X-CSRF-Token`) → 204, the session revoked and the cookie cleared.
 * Idempotent: no cookie, or a session that is already dead, is also 204. A CSRF failure on a live
 * session is 403 and revokes nothing.
 */
export function logoutRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/auth/logout", async (request, reply) => {
    checkOrigin(request, ctx.allowedOrigins);
    let refreshToken: string;
    try {
      if (readRefreshCookie(request, reply) === undefined) throw new HttpError("refresh_invalid");
      refreshToken = await requireCsrfSession(ctx, request, reply);
    } catch (error) {
      if (
        isTesseraError(error, ...DEAD_SESSION_CODES) ||
        (error instanceof HttpError && error.code === "refresh_invalid")
      ) {
        clearRefreshCookie(reply);
        return reply.code(204).send();
      }
      throw error;
    }
    await ctx.tessera.logout({ refreshToken, context: clientContext(request) });
    ctx.metrics.revocations.inc({ reason: "logout" });
    clearRefreshCookie(reply);
    return reply.code(204).send();
  });
}
