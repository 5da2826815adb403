import type { FastifyInstance } from "fastify";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { checkOrigin } from "../http/origin.js";
import type { RouteContext } from "./route-context.js";

/** `POST /auth/register {email, password}` → 201 `{user}`; 400, 409, 403 closed, 429. */
export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/auth/register", async (request, reply) => {
    checkOrigin(request, ctx.allowedOrigins);
    const body = jsonObject(request.body);
    const email = stringField(body, "email", 320);
    const password = stringField(body, "password", 1024);
    await ctx.limits.register?.(request);
    // The verification mail a registration sends counts against the address's mail budget.
    if (ctx.config.mail.emailVerification !== "off") await ctx.limits.mail(request, email);
    const user = await ctx.tessera.register({ email, password, context: clientContext(request) });
    return reply.code(201).send({ user: { id: user.id, email: user.email } });
  });
}
