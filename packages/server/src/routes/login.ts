import type { FastifyInstance } from "fastify";
import { optionalStringField, stringField } from "../http/body-fields.js";
import { answerLogin } from "../http/login-answer.js";
import { doc } from "../http/openapi-doc.js";
import type { RouteContext } from "./route-context.js";

/**
 * `POST /auth/login {email, password, token_delivery?, scope?}` → 200 tokens (with the granted
 * `scope`: what was asked, or everything the user's roles grant, narrowed to what they grant) + refresh cookie, or with
 * `"token_delivery": "body"` (native clients) the refresh token in the JSON and no cookie.
 * A native client may add a `DPoP` proof (RFC 9449): the session is then bound to its key and
 * the answer says `token_type: "DPoP"`.
 * Unknown e-mail and wrong password are the same 401 `invalid_credentials`; a disabled user's
 * right password is 403 `account_disabled`.
 */
export function loginRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const schema = doc("auth", "Log in with e-mail and password", {
    200: "Access token, CSRF token, refresh cookie (or refresh_token with body delivery)",
    400: "Malformed request or DPoP proof",
    401: "invalid_credentials",
    403: "Origin not allowed, or account_disabled",
    429: "Too many failed logins or requests",
  });
  app.post("/auth/login", { schema }, (request, reply) =>
    answerLogin(request, reply, ctx, (body) => {
      const email = stringField(body, "email", 320);
      const password = stringField(body, "password", 1024);
      const scope = optionalStringField(body, "scope", 4096);
      return {
        account: email,
        failure: "invalid_credentials",
        run: (client) =>
          ctx.tessera.login({ email, password, ...(scope === undefined ? {} : { scope }), ...client }),
      };
    }),
  );
}
