import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { tokenEndpointProof } from "../dpop/dpop-failure.js";
import { jsonObject, optionalStringField, stringField } from "../http/body-fields.js";
import { clientContext } from "../http/client-context.js";
import { HttpError } from "../http/http-error.js";
import { checkOrigin } from "../http/origin.js";
import { setRefreshCookie } from "../http/refresh-cookie.js";
import { noStore, tokenBody } from "../http/token-body.js";
import type { RouteContext } from "./route-context.js";

/**
 * `POST /auth/login {email, password, token_delivery?, scope?}` → 200 tokens (with the granted
 * `scope`: what was asked, or everything the user's roles grant, narrowed to what they grant) + refresh cookie, or with
 * `"token_delivery": "body"` (native clients) the refresh token in the JSON and no cookie.
 * A native client may add a `DPoP` proof (RFC 9449): the session is then bound to its key and
 * the answer says `token_type: "DPoP"`.
 * Unknown e-mail and wrong password are the same 401 `invalid_credentials`.
 */
export function loginRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/auth/login", async (request, reply) => {
    checkOrigin(request, ctx.allowedOrigins);
    const body = jsonObject(request.body);
    const email = stringField(body, "email", 320);
    const password = stringField(body, "password", 1024);
    const delivery = optionalStringField(body, "token_delivery", 16) ?? "cookie";
    const scope = optionalStringField(body, "scope", 4096);
    if (delivery !== "cookie" && delivery !== "body") throw new HttpError("invalid_request");
    // RFC 9449: a native client may bind its session to a key; a cookie session cannot be.
    if (ctx.dpop.present(request) && delivery !== "body") throw new HttpError("invalid_request");
    const dpopJkt = await tokenEndpointProof(request, ctx.dpop);

    try {
      await ctx.limits.failures?.check(request, email);
    } catch (error) {
      ctx.metrics.logins.inc({ outcome: "rate_limited" });
      throw error;
    }
    let tokens: Awaited<ReturnType<typeof ctx.tessera.login>>;
    try {
      tokens = await ctx.tessera.login({
        email,
        password,
        context: clientContext(request),
        ...(scope === undefined ? {} : { scope }),
        ...(dpopJkt ? { dpopJkt } : {}),
      });
    } catch (error) {
      if (isTesseraError(error, "invalid_credentials")) {
        ctx.metrics.logins.inc({ outcome: "invalid_credentials" });
        await ctx.limits.failures?.spend(request, email);
      } else {
        ctx.metrics.logins.inc({ outcome: "error" });
      }
      throw error;
    }
    ctx.metrics.logins.inc({ outcome: "success" });

    noStore(reply);
    if (delivery === "body") {
      if (ctx.dpop.nonces) reply.header("dpop-nonce", ctx.dpop.nonces.current());
      const tokenType = dpopJkt ? "DPoP" : "Bearer";
      return reply.send({ ...tokenBody(tokens), token_type: tokenType, refresh_token: tokens.refreshToken });
    }
    setRefreshCookie(reply, tokens.refreshToken, tokens.sessionExpiresAt, ctx.now());
    return reply.send(tokenBody(tokens));
  });
}
