import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { noStore } from "../http/token-body.js";
import type { RouteContext } from "./route-context.js";

const MAX_TOKEN = 8192;

/**
 * RFC 7009 `POST /oauth/revoke` (form, `token=`, optional `token_type_hint`): revokes the session
 * the token belongs to. 200 whether or not the token was valid (§2.2); 400 `invalid_request` only
 * when `token` is missing or repeated.
 */
export function oauthRevokeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/oauth/revoke", async (request, reply) => {
    noStore(reply);
    const body = jsonObject(request.body ?? {});
    const token = stringField(body, "token", Number.MAX_SAFE_INTEGER);
    if (token.length <= MAX_TOKEN) {
      try {
        await ctx.tessera.revokeToken(token, clientContext(request));
        ctx.metrics.revocations.inc({ reason: "oauth_revoke" });
      } catch (error) {
        // An unusable token is not the caller's error (RFC 7009 §2.2); an unreachable store is.
        if (!isTesseraError(error) || error.code === "store_unavailable") throw error;
      }
    }
    return reply.send({});
  });
}
