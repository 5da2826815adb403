import type { SessionView } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { authenticateBearer } from "../http/bearer.js";
import { clientContext } from "../http/client-context.js";
import { HttpError } from "../http/http-error.js";
import { clearRefreshCookie } from "../http/refresh-cookie.js";
import type { RouteContext } from "./route-context.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One session as the API shows it (times as ISO 8601), including where the device was last seen.
 *
 * @example
 * reply.send({ sessions: views.map(sessionJson) });
 */
export function sessionJson(view: SessionView) {
  return {
    id: view.id,
    kind: view.kind,
    created_at: iso(view.createdAt),
    last_used_at: iso(view.lastUsedAt),
    expires_at: iso(view.expiresAt),
    user_agent: view.userAgent,
    ip: view.ip,
    last_user_agent: view.lastUserAgent,
    last_ip: view.lastIp,
    current: view.current,
  };
}

/** `GET /auth/sessions` and `DELETE /auth/sessions/:id` (own sessions only; 404 for anyone else's). */
export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get("/auth/sessions", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const sessions = await ctx.tessera.listSessions(claims);
    return reply.send({ sessions: sessions.map(sessionJson) });
  });

  app.delete<{ Params: { id: string } }>("/auth/sessions/:id", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const id = request.params.id;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new HttpError("not_found");
    await ctx.tessera.revokeSession(claims, id, clientContext(request));
    ctx.metrics.revocations.inc({ reason: "session_revoked" });
    if (id === claims.sid) clearRefreshCookie(reply);
    return reply.code(204).send();
  });
}
