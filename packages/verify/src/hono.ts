import type { Context, MiddlewareHandler } from "hono";
import { isVerifyError, VerifyError } from "./errors.js";
import { type AuthFailure, authFailure, credentials, dpopBaseUrl, isCorsPreflight } from "./http-auth.js";
import { judge, type Requirement, roleRequirement, scopeRequirement } from "./require.js";
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
  /**
   * The public origin (and path prefix) clients address, e.g. `https://api.example.com`: DPoP
   * proofs must name it (`htu`). Required for DPoP-bound tokens (`dpop_not_configured` without
   * it); never taken from `c.req.url`, which comes from the `Host` header.
   */
  baseUrl?: string;
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
  const base = dpopBaseUrl(options.baseUrl, "honoAuth");
  return async (c, next) => {
    if (isCorsPreflight(c.req.method, c.req.header("access-control-request-method"))) return next();
    const authorization = c.req.header("authorization");
    let presented: ReturnType<typeof credentials>;
    try {
      presented = credentials(authorization);
    } catch (error) {
      return send(c, authFailure(error as VerifyError));
    }
    if (presented === undefined) {
      if (options.optional) return next();
      return send(c, authFailure(new VerifyError("token_missing")));
    }
    try {
      const dpop = presented.scheme === "dpop";
      c.set(
        "auth",
        await verifier.verifyRequest({
          method: c.req.method,
          authorization,
          ...(dpop ? { dpop: c.req.header("dpop") } : {}),
          ...(dpop && base !== undefined ? { url: `${base}${new URL(c.req.url).pathname}` } : {}),
        }),
      );
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
  return guard(scopeRequirement(scopes));
}

/**
 * Hono middleware after {@link honoAuth}: 403 `insufficient_scope` unless the token's `roles`
 * claim holds every one of `roles`.
 *
 * @example
 * app.delete("/api/users/:id", requireRole("admin"), deleteUser);
 */
export function requireRole(...roles: string[]): MiddlewareHandler {
  return guard(roleRequirement(roles));
}

function guard(requirement: Requirement): MiddlewareHandler {
  return async (c, next) => {
    const failure = judge(c.get("auth") as AccessClaims | undefined, requirement);
    if (failure) return send(c, failure);
    return next();
  };
}
