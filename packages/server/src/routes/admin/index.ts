import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { clientContext } from "../../http/client-context.js";
import { classifyError } from "../../http/error-handler.js";
import { ERROR_TABLE } from "../../http/error-table.js";
import { authenticateResource } from "../../http/resource-auth.js";
import type { RouteContext } from "../route-context.js";
import { adminLimitRoutes } from "./limits.js";
import { adminTicketRoutes } from "./login-tickets.js";
import { adminSessionRoutes } from "./sessions.js";
import { adminUserRoutes } from "./users.js";
import { usersImportRoute } from "./users-import.js";

/**
 * The admin API, `/admin/*`, for the operator's own backends: HTTP Basic with a credential of
 * `TESSERA_ADMIN_SECRETS` (never a user's token), parsed and compared in constant time as the
 * resource credentials are, behind the same per-IP failure budget (`TESSERA_RATE_LIMIT_CREDENTIALS`:
 * once spent, 429 `rate_limited` before any comparison). Without that setting nothing is registered
 * and every `/admin` path answers 404. Every call — refused ones too — is audited (`admin.request`)
 * with the credential id, the route pattern and the status; never a body, query or ticket.
 *
 * @example
 * await adminRoutes(app, ctx);
 */
export async function adminRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const credentials = ctx.config.adminSecrets;
  if (credentials.length === 0) return;
  await app.register(async (scope) => {
    scope.removeContentTypeParser("text/plain");
    const callers = new WeakMap<FastifyRequest, string>();
    scope.addHook("onRequest", async (request) => {
      callers.set(request, await authenticateResource(request, credentials, ctx.limits.credentials));
    });
    scope.addHook("onSend", async (request, reply, payload) => {
      const admin = callers.get(request) ?? null;
      const { id } = (request.params ?? {}) as { id?: unknown };
      try {
        await ctx.tessera.recordAdminCall({
          admin,
          method: request.method,
          route: request.routeOptions.url ?? "unmatched",
          status: reply.statusCode,
          userId: typeof id === "string" && admin !== null ? id : null,
          context: clientContext(request),
        });
      } catch (error) {
        // The audit trail never drops an event silently: an admin call that cannot be recorded
        // is answered as failed (what it changed, if anything, stays done; a retry is recorded).
        request.log.warn({ code: (error as { code?: unknown }).code ?? "error" }, "admin call not audited");
        return auditFailed(reply, error);
      }
      return payload;
    });
    for (const routes of [adminUserRoutes, adminSessionRoutes, adminTicketRoutes, adminLimitRoutes]) {
      routes(scope, ctx);
    }
    usersImportRoute(scope, { tessera: ctx.tessera });
  });
}

/** Turns the answer being sent into the error of a failed audit write (`store_unavailable`, 503). */
function auditFailed(reply: FastifyReply, error: unknown): string {
  const entry = ERROR_TABLE[classifyError(error).code];
  reply.code(entry.status).type("application/json; charset=utf-8").removeHeader("content-length");
  return JSON.stringify({ error: entry.wire, message: entry.message });
}
