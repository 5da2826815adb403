import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isVerifyError, VerifyError } from "./errors.js";
import { type AuthFailure, authFailure, credentials, dpopBaseUrl, isCorsPreflight } from "./http-auth.js";
import { judge, type Requirement, roleRequirement, scopeRequirement } from "./require.js";
import type { AccessClaims, Verifier } from "./types.js";

declare global {
  namespace Express {
    interface Request {
      /** Claims of the verified access token, set by `expressAuth`. */
      auth?: AccessClaims;
    }
  }
}

/** Options of {@link expressAuth}. */
export interface ExpressAuthOptions {
  /** Let requests without any bearer token through (with `req.auth` unset); bad tokens still fail. */
  optional?: boolean;
  /**
   * The public origin (and any path prefix) clients address, e.g. `https://api.example.com`:
   * DPoP proofs must name it (`htu`). Required for DPoP-bound tokens, which are refused without
   * it (`dpop_not_configured`); it is never taken from the `Host` header.
   */
  baseUrl?: string;
}

function send(res: Response, failure: AuthFailure): void {
  res.status(failure.status).set(failure.headers).json(failure.body);
}

/**
 * Express middleware: verifies `Authorization: Bearer …` (or `DPoP …` with a `DPoP` proof for
 * DPoP-bound tokens, RFC 9449) and puts the claims on `req.auth`;
 * otherwise answers 401 with an RFC 6750 challenge. Unexpected errors go to `next(err)`.
 *
 * @example
 * app.use(expressAuth(verifier));
 * app.get("/me", (req, res) => res.json({ sub: req.auth?.sub }));
 */
export function expressAuth(verifier: Verifier, options: ExpressAuthOptions = {}): RequestHandler {
  const base = dpopBaseUrl(options.baseUrl, "expressAuth");
  return (req: Request, res: Response, next: NextFunction) => {
    if (isCorsPreflight(req.method, req.headers["access-control-request-method"])) return next();
    let presented: ReturnType<typeof credentials>;
    try {
      presented = credentials(req.headers.authorization);
    } catch (error) {
      send(res, authFailure(error as VerifyError));
      return;
    }
    if (presented === undefined) {
      if (options.optional) next();
      else send(res, authFailure(new VerifyError("token_missing")));
      return;
    }
    const dpop = presented.scheme === "dpop";
    verifier
      .verifyRequest({
        method: req.method,
        authorization: req.headers.authorization,
        ...(dpop ? { dpop: req.headers.dpop } : {}),
        ...(dpop && base !== undefined ? { url: `${base}${req.originalUrl}` } : {}),
      })
      .then(
        (claims) => {
          req.auth = claims;
          next();
        },
        (error: unknown) => {
          if (isVerifyError(error)) send(res, authFailure(error));
          else next(error);
        },
      );
  };
}

/**
 * Express middleware after {@link expressAuth}: 403 `insufficient_scope` unless the token
 * grants every scope (401 if there is no verified token).
 *
 * @example
 * app.post("/orders", expressAuth(verifier), requireScope("orders:write"), createOrder);
 */
export function requireScope(...scopes: string[]): RequestHandler {
  return guard(scopeRequirement(scopes));
}

/**
 * Express middleware after {@link expressAuth}: 403 `insufficient_scope` unless the token's
 * `roles` claim holds every one of `roles` (401 if there is no verified token).
 *
 * @example
 * app.delete("/users/:id", expressAuth(verifier), requireRole("admin"), deleteUser);
 */
export function requireRole(...roles: string[]): RequestHandler {
  return guard(roleRequirement(roles));
}

function guard(requirement: Requirement): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const failure = judge(req.auth, requirement);
    if (failure) send(res, failure);
    else next();
  };
}
