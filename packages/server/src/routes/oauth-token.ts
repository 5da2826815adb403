import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { tokenEndpointProof } from "../dpop/dpop-failure.js";
import { tokenTypeOf } from "../dpop/token-type.js";
import { jsonObject, optionalStringField, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { HttpError } from "../http/http-error.js";
import { noStore } from "../http/token-body.js";
import { countRefreshFailure } from "./refresh.js";
import type { RouteContext } from "./route-context.js";

/**
 * RFC 6749 §6 refresh for native clients: `POST /oauth/token` (form) with
 * `grant_type=refresh_token&refresh_token=…[&scope=…]` → 200 `{access_token, token_type, expires_in,
 * refresh_token, scope}`; errors per §5.2 (`invalid_request`, `unsupported_grant_type`,
 * `invalid_grant`, `invalid_scope` for a scope beyond the session's — nothing consumed then). The same rotation and reuse rules as the cookie refresh; no CSRF header,
 * because nothing ambient is sent. With a `DPoP` proof (RFC 9449 §5) the refresh of a bound
 * family must be made by its key, and an unbound family is bound to the proof's key from this
 * refresh on (refresh tokens of public clients MUST be bound); the answer is then
 * `token_type: "DPoP"`.
 */
export function oauthTokenRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/oauth/token", async (request, reply) => {
    noStore(reply);
    const body = jsonObject(request.body ?? {});
    if (body.grant_type === undefined) throw new HttpError("invalid_request");
    const grantType = stringField(body, "grant_type", 64);
    if (grantType !== "refresh_token") throw new HttpError("unsupported_grant_type");
    const refreshToken = stringField(body, "refresh_token", 1024);
    const scope = optionalStringField(body, "scope", 4096);
    // The proof is checked before the token is touched: a bad or missing proof for a bound family
    // is invalid_grant in the core before any consumption, so it never looks like reuse.
    const dpopJkt = await tokenEndpointProof(request, ctx.dpop);

    try {
      const tokens = await ctx.tessera.refresh({
        refreshToken,
        context: clientContext(request),
        ...(scope === undefined ? {} : { scope }),
        ...(dpopJkt ? { dpopJkt } : {}),
      });
      ctx.metrics.refreshes.inc({ outcome: "success" });
      if (ctx.dpop.nonces) reply.header("dpop-nonce", ctx.dpop.nonces.current());
      return reply.send({
        access_token: tokens.accessToken,
        token_type: tokenTypeOf(tokens.accessToken),
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
        scope: tokens.scope,
      });
    } catch (error) {
      countRefreshFailure(ctx, error);
      // RFC 6749 §5.2: asking for more than the session holds is `invalid_scope`, not a bad grant.
      if (
        isTesseraError(error) &&
        !["store_unavailable", "key_unavailable", "invalid_scope", "claims_rejected"].includes(error.code)
      ) {
        throw new HttpError("invalid_grant");
      }
      throw error;
    }
  });
}
