import type { FastifyInstance } from "fastify";
import type { RouteContext } from "../route-context.js";
import { sessionJson } from "../sessions.js";
import { adminUserRoute } from "./admin-route.js";

/** `GET /admin/users/:id/sessions` (live sessions) and `DELETE /admin/users/:id/sessions` (revoke all). */
export function adminSessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  adminUserRoute(
    app,
    {
      method: "GET",
      url: "/admin/users/:id/sessions",
      summary: "A user's live sessions",
      responses: { 200: "{sessions}", 404: "No such user" },
    },
    async ({ userId, reply }) => {
      const sessions = await ctx.tessera.adminListSessions(userId);
      return reply.send({ sessions: sessions.map(sessionJson) });
    },
  );

  adminUserRoute(
    app,
    {
      method: "DELETE",
      url: "/admin/users/:id/sessions",
      summary: "Revoke every session of a user and every access token issued so far",
      responses: { 204: "Revoked", 404: "No such user" },
    },
    async ({ userId, reply }) => {
      await ctx.tessera.adminRevokeUserSessions(userId);
      ctx.metrics.revocations.inc({ reason: "admin" });
      return reply.code(204).send();
    },
  );
}
