import type { FastifyInstance } from "fastify";
import { jsonObject, optionalStringField, stringField } from "../../http/body-fields.js";
import { doc, SECURITY } from "../../http/openapi-doc.js";
import { noStore } from "../../http/token-body.js";
import type { RouteContext } from "../route-context.js";
import { onlyFields, userIdParam } from "./admin-json.js";

/**
 * `POST /admin/login-tickets {user_id, scope?}` → 201 `{ticket, expires_in}`: a single-use ticket,
 * valid 60 s, that the operator's front end redeems at `POST /auth/login/ticket`.
 */
export function adminTicketRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    "/admin/login-tickets",
    {
      schema: doc(
        "admin",
        "Create a single-use login ticket (60 s) for a user the caller authenticated its own way",
        {
          201: "{ticket, expires_in}",
          400: "Malformed input",
          401: "Admin credential required",
          403: "The user is disabled",
          404: "No such user",
        },
        { security: SECURITY.admin },
      ),
    },
    async (request, reply) => {
      const body = jsonObject(request.body);
      onlyFields(body, ["user_id", "scope"]);
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
