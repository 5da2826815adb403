import { isTesseraError } from "@tessera/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateBearer } from "../http/bearer.js";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { clearRefreshCookie } from "../http/refresh-cookie.js";
import type { RouteContext } from "./route-context.js";

/**
 * Bearer endpoints about the caller's account: `GET /auth/me`, `POST /auth/logout-all`,
 * `POST /auth/password`, `DELETE /auth/account`. Every one runs `tessera.authenticate`, so an
 * access token of a revoked session or from before the user's token epoch is 401 here.
 */
export function accountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get("/auth/me", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const user = await ctx.tessera.getUser(claims.sub);
    return reply.send({
      user: {
        id: user.id,
        email: user.email,
        roles: user.roles,
        email_verified: user.emailVerified === true,
      },
      // The scope granted to the presented token.
      session: { id: claims.sid, scope: claims.scope ?? "" },
    });
  });

  app.post("/auth/logout-all", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    await ctx.tessera.logoutAll(claims, clientContext(request));
    ctx.metrics.revocations.inc({ reason: "logout_all" });
    clearRefreshCookie(reply);
    return reply.code(204).send();
  });

  app.post("/auth/password", async (request, reply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const body = jsonObject(request.body);
    const currentPassword = stringField(body, "current_password", 1024);
    const newPassword = stringField(body, "new_password", 1024);
    await guardPassword(ctx, request, claims.sub, () =>
      ctx.tessera.changePassword(claims, { currentPassword, newPassword, context: clientContext(request) }),
    );
    ctx.metrics.revocations.inc({ reason: "password_changed" });
    return reply.code(204).send();
  });

  app.delete("/auth/account", async (request, reply: FastifyReply) => {
    const claims = await authenticateBearer(ctx.tessera, request, ctx.dpop);
    const password = stringField(jsonObject(request.body), "password", 1024);
    await guardPassword(ctx, request, claims.sub, () =>
      ctx.tessera.deleteAccount(claims, { password, context: clientContext(request) }),
    );
    ctx.metrics.revocations.inc({ reason: "account_deleted" });
    clearRefreshCookie(reply);
    return reply.code(204).send();
  });
}

/** A password re-check spends the same (account, IP) failure budget as a login. */
async function guardPassword(
  ctx: RouteContext,
  request: FastifyRequest,
  userId: string,
  run: () => Promise<void>,
): Promise<void> {
  const account = `user:${userId}`;
  await ctx.limits.failures?.check(request, account);
  try {
    await run();
  } catch (error) {
    if (isTesseraError(error, "invalid_credentials")) await ctx.limits.failures?.spend(request, account);
    throw error;
  }
}
