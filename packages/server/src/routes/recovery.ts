import type { FastifyInstance } from "fastify";
import { authenticateBearer } from "../http/bearer.js";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { checkOrigin } from "../http/origin.js";
import type { RouteContext } from "./route-context.js";

/**
 * Account recovery and e-mail: `POST /auth/password/forgot` (202 `{}` for any address),
 * `POST /auth/password/reset` (204), `POST /auth/email/verify` (204), `POST /auth/email/resend`
 * (Bearer, 202). The password routes exist only while `TESSERA_PASSWORD_RESET=on`. No answer
 * waits for a mail: the mailer sends in the background, and `forgot` answers before it looks the
 * address up.
 */
export function recoveryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  if (ctx.config.mail.passwordReset) {
    app.post("/auth/password/forgot", async (request, reply) => {
      checkOrigin(request, ctx.allowedOrigins);
      const email = stringField(jsonObject(request.body), "email", 320);
      await ctx.limits.mail(request, email);
      // Answered before the account is even looked up (the work starts after this answer is
      // written): known and unknown addresses take the same path and the same time.
      const context = clientContext(request);
      setImmediate(() => {
        ctx.tessera.requestPasswordReset({ email, context }).catch((error: unknown) => {
          const code = (error as { code?: unknown } | null)?.code ?? "error";
          request.log.warn({ code }, "password reset request failed");
        });
      });
      return reply.code(202).send({});
    });

    app.post("/auth/password/reset", async (request, reply) => {
      checkOrigin(request, ctx.allowedOrigins);
      const body = jsonObject(request.body);
      const token = stringField(body, "token", 128);
      const newPassword = stringField(body, "new_password", 1024);
      await ctx.tessera.resetPassword({ token, newPassword, context: clientContext(request) });
      ctx.metrics.revocations.inc({ reason: "password_reset" });
      return reply.code(204).send();
    });
  }

  app.post("/auth/email/verify", async (request, reply) => {
    checkOrigin(request, ctx.allowedOrigins);
    const token = stringField(jsonObject(request.body), "token", 128);
    await ctx.tessera.verifyEmail({ token, context: clientContext(request) });
    return reply.code(204).send();
  });

  app.post("/auth/email/resend", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const user = await ctx.tessera.getUser(claims.sub);
    await ctx.limits.mail(request, user.email);
    await ctx.tessera.resendVerification(claims, clientContext(request));
    return reply.code(202).send({});
  });
}
