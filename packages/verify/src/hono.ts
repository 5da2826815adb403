import type { Context, MiddlewareHandler } from "hono";
import { isVerifyError, VerifyError } from "./errors.js";
import {
  type AuthFailure,
  authFailure,
  bearerToken,
  checkScopeList,
  hasScopes,
  insufficientScope,
} from "./http-auth.js";
import type { AccessClaims, Verifier } from "./types.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Claims of the verified access token, set by `honoAuth`. */
    auth: AccessClaims;
  }
}

/** Options of {@link honoAuth}. */
export interface HonoAuthOptions {
  /** Let requests without any bearer token through (`c.get("auth")` stays unset). */
  optional?: boolean;
}

function send(c: Context, failure: AuthFailure): Response {
  return c.json(failure.body, failure.status, failure.headers);
}

/**
 * Hono middleware: verifies `Authorization: Bearer …` and sets `c.get("auth")`; otherwise
 * answers 401 with an RFC 6750 challenge. Runs on any runtime Hono runs on.
 *
 * @example
 * app.use("/api/*", honoAuth(verifier));
 * app.get("/api/me", (c) => c.json({ sub: c.get("auth").sub }));
 */
export function honoAuth(verifier: Verifier, options: HonoAuthOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    let token: string | undefined;
    try {
      token = bearerToken(c.req.header("authorization"));
    } catch (error) {
      return send(c, authFailure(error as VerifyError));
    }
    if (token === undefined) {
      if (options.optional) return next();
      return send(c, authFailure(new VerifyError("token_missing")));
    }
    try {
      c.set("auth", await verifier.verify(token));
    } catch (error) {
      if (isVerifyError(error)) return send(c, authFailure(error));
      throw error;
    }
    return next();
  };
}

/**
 * Hono middleware after {@link honoAuth}: 403 `insufficient_scope` unless the token grants
 * every scope.
 *
 * @example
 * app.post("/api/orders", requireScope("orders:write"), createOrder);
 */
export function requireScope(...scopes: string[]): MiddlewareHandler {
  checkScopeList(scopes);
  return async (c, next) => {
    const claims = c.get("auth") as AccessClaims | undefined;
    if (!claims) return send(c, authFailure(new VerifyError("token_missing")));
    if (!hasScopes(claims, scopes)) return send(c, insufficientScope(scopes));
    return next();
  };
}
