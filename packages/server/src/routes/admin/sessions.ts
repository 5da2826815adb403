import type { FastifyInstance } from "fastify";
import { doc, SECURITY } from "../../http/openapi-doc.js";
import type { RouteContext } from "../route-context.js";
import { sessionJson } from "../sessions.js";
import { userIdParam } from "./admin-json.js";

const security = SECURITY.admin;

/** `GET /admin/users/:id/sessions` (live sessions) and `DELETE /admin/users/:id/sessions` (revoke all). */
export function adminSessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { id: string } }>(
    "/admin/users/:id/sessions",
    {
      schema: doc(
        "admin",
        "A user's live sessions",
        { 200: "{sessions}", 401: "Admin credential required", 404: "No such user" },
        { security },
      ),
    },
    async (request, reply) => {
      const sessions = await ctx.tessera.adminListSessions(userIdParam(request.params.id));
      return reply.send({ sessions: sessions.map(sessionJson) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/admin/users/:id/sessions",
    {
      schema: doc(
        "admin",
        "Revoke every session of a user and every access token issued so far",
        { 204: "Revoked", 401: "Admin credential required", 404: "No such user" },
        { security },
      ),
    },
    async (request, reply) => {
      await ctx.tessera.adminRevokeUserSessions(userIdParam(request.params.id));
      ctx.metrics.revocations.inc({ reason: "admin" });
      return reply.code(204).send();
    },
  );
}
