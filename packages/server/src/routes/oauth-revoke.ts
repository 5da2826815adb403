import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { tokenEndpointProof } from "../dpop/dpop-failure.js";
import { jsonObject, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { noStore } from "../http/token-body.js";
import type { RouteContext } from "./route-context.js";

const MAX_TOKEN = 8192;

/**
 * RFC 7009 `POST /oauth/revoke` (form, `token=`, optional `token_type_hint`): revokes the session
 * the token belongs to. 200 whether or not the token was valid (§2.2); 400 `invalid_request` only
 * when `token` is missing or repeated. A DPoP-bound token (refresh token of a bound family, access
 * token with `cnf.jkt`) needs a `DPoP` proof of its key for this URL: without one it is 400
 * `invalid_dpop_proof` and nothing is revoked, so its thief cannot end the owner's session.
 */
export function oauthRevokeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/oauth/revoke", async (request, reply) => {
    noStore(reply);
    const body = jsonObject(request.body ?? {});
    const token = stringField(body, "token", Number.MAX_SAFE_INTEGER);
    const dpopJkt = await tokenEndpointProof(request, ctx.dpop);
    if (token.length <= MAX_TOKEN) {
      try {
        await ctx.tessera.revokeToken(token, clientContext(request), dpopJkt);
        ctx.metrics.revocations.inc({ reason: "oauth_revoke" });
      } catch (error) {
        // An unusable token is not the caller's error (RFC 7009 §2.2); an unreachable store, or a
        // bound token without its key's proof, is.
        if (!isTesseraError(error) || isTesseraError(error, "store_unavailable", "dpop_key_required"))
          throw error;
      }
    }
    return reply.send({});
  });
}
