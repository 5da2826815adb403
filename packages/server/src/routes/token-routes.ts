import formbody from "@fastify/formbody";
import type { FastifyInstance } from "fastify";
import { accountRoutes } from "./account.js";
import { loginRoutes } from "./login.js";
import { loginTicketRoutes } from "./login-ticket.js";
import { logoutRoutes } from "./logout.js";
import { resourceServerRoutes } from "./oauth-introspect.js";
import { oauthRevokeRoutes } from "./oauth-revoke.js";
import { oauthTokenRoutes } from "./oauth-token.js";
import { recoveryRoutes } from "./recovery.js";
import { refreshRoutes } from "./refresh.js";
import { registerRoutes } from "./register.js";
import type { RouteContext } from "./route-context.js";
import { sessionRoutes } from "./sessions.js";
import { wellKnownRoutes } from "./well-known.js";

/** The largest request body the API reads: 16 KiB (the admin import raises it for itself). */
export const BODY_LIMIT = 16 * 1024;

/**
 * The token-mode routes — `/auth/*`, `/oauth/*`, `/.well-known/*` — registered on `app` (the
 * standalone server's root, or the scope of `tesseraRoutes` under its prefix): one registration
 * for both. `/auth` takes JSON only (a cross-site HTML form cannot send it without a CORS
 * preflight); the OAuth endpoints speak `application/x-www-form-urlencoded` (RFC 6749 §4.1.3,
 * RFC 7009, RFC 7662).
 *
 * @example
 * await tokenRoutes(app, ctx);
 */
export async function tokenRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeContentTypeParser("text/plain");
    for (const routes of [
      registerRoutes,
      loginRoutes,
      loginTicketRoutes,
      refreshRoutes,
      logoutRoutes,
      accountRoutes,
      sessionRoutes,
      recoveryRoutes,
    ]) {
      routes(scope, ctx);
    }
  });
  await app.register(async (scope) => {
    scope.removeContentTypeParser(["application/json", "text/plain"]);
    await scope.register(formbody, { bodyLimit: BODY_LIMIT });
    for (const routes of [oauthTokenRoutes, oauthRevokeRoutes, resourceServerRoutes]) routes(scope, ctx);
  });
  wellKnownRoutes(app, ctx);
}
