import { isIP } from "node:net";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../../http/http-error.js";
import type { RouteContext } from "../route-context.js";
import { adminRoute } from "./admin-route.js";

/**
 * `DELETE /admin/limits/:target` → 200 `{cleared}`: clears the rate-limit counters of an e-mail
 * (its failed logins from every address, its mail counter) or of an IP (requests, registrations,
 * failed logins and credentials, mail) where this server counts them: in Redis for every
 * instance, else in this instance's memory. `tessera limits reset` calls it when there is no Redis.
 */
export function adminLimitRoutes(app: FastifyInstance, ctx: RouteContext): void {
  adminRoute(
    app,
    {
      method: "DELETE",
      url: "/admin/limits/:target",
      summary: "Clear the rate-limit counters (a lock-out) of an e-mail or an IP",
      responses: { 200: "{cleared}", 400: "Neither an e-mail nor an IP" },
    },
    async ({ request, reply }) => {
      const target = request.params.target ?? "";
      if (target.length > 320 || !(target.includes("@") || isIP(target) !== 0)) {
        throw new HttpError("invalid_request");
      }
      return reply.send({ cleared: await ctx.limits.reset(target) });
    },
  );
}
