import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { HttpError } from "../http/http-error.js";
import { noStore } from "../http/token-body.js";
import { countRefreshFailure } from "./refresh.js";
import type { RouteContext } from "./route-context.js";

/**
 * RFC 6749 §6 refresh for native clients: `POST /oauth/token` (form) with
 * `grant_type=refresh_token&refresh_token=…` → 200 `{access_token, token_type, expires_in,
 * refresh_token}`; errors per §5.2 (`invalid_request`, `unsupported_grant_type`,
 * `invalid_grant`). The same rotation and reuse rules as the cookie refresh; no CSRF header,
 * because nothing ambient is sent.
 */
export function oauthTokenRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/oauth/token", async (request, reply) => {
    noStore(reply);
    const body = jsonObject(request.body ?? {});
    if (body.grant_type === undefined) throw new HttpError("invalid_request");
    const grantType = stringField(body, "grant_type", 64);
    if (grantType !== "refresh_token") throw new HttpError("unsupported_grant_type");
    const refreshToken = stringField(body, "refresh_token", 1024);

    try {
      const tokens = await ctx.tessera.refresh({ refreshToken, context: clientContext(request) });
      ctx.metrics.refreshes.inc({ outcome: "success" });
      return reply.send({
        access_token: tokens.accessToken,
        token_type: "Bearer",
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
      });
    } catch (error) {
      countRefreshFailure(ctx, error);
      if (isTesseraError(error) && error.code !== "store_unavailable" && error.code !== "key_unavailable") {
        throw new HttpError("invalid_grant");
      }
      throw error;
    }
  });
}
