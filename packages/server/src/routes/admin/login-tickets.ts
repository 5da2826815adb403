import type { FastifyInstance } from "fastify";
import { optionalStringField, stringField } from "../../http/body-fields.js";
import { noStore } from "../../http/token-body.js";
import type { RouteContext } from "../route-context.js";
import { userIdParam } from "./admin-json.js";
import { adminRoute } from "./admin-route.js";

/**
 * `POST /admin/login-tickets {user_id, scope?}` → 201 `{ticket, expires_in}`: a single-use ticket,
 * valid 60 s, that the operator's front end redeems at `POST /auth/login/ticket`.
 */
export function adminTicketRoutes(app: FastifyInstance, ctx: RouteContext): void {
  adminRoute(
    app,
    {
      method: "POST",
      url: "/admin/login-tickets",
      summary: "Create a single-use login ticket (60 s) for a user the caller authenticated its own way",
      responses: {
        201: "{ticket, expires_in}",
        400: "Malformed input",
        403: "The user is disabled",
        404: "No such user",
      },
      fields: ["user_id", "scope"],
    },
    async ({ body, reply }) => {
      // A missing user is 404 like an unknown one.
      const user = userIdParam(stringField(body, "user_id", 128));
      const scope = optionalStringField(body, "scope", 1024);
      const { ticket, expiresIn } = await ctx.tessera.adminCreateLoginTicket({
        user,
        ...(scope !== undefined ? { scope } : {}),
      });
      return noStore(reply).code(201).send({ ticket, expires_in: expiresIn });
    },
  );
}
