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

/**
 * Verify the bearer token of a Web `Request` (Fetch API: Deno, Bun, workers, Next.js route
 * handlers, …). Reads only the `Authorization` header. Rejects with `VerifyError`.
 *
 * @example
 * export async function GET(request: Request) {
 *   let claims;
 *   try { claims = await verifyRequest(verifier, request); }
 *   catch (e) { return errorResponse(e); }
 *   return Response.json({ user: claims.sub });
 * }
 */
export async function verifyRequest(verifier: Verifier, request: Request): Promise<AccessClaims> {
  const token = bearerToken(request.headers.get("authorization"));
  if (token === undefined) throw new VerifyError("token_missing");
  return verifier.verify(token);
}

function toResponse(failure: AuthFailure): Response {
  return Response.json(failure.body, { status: failure.status, headers: failure.headers });
}

/**
 * The 401 `Response` for a `VerifyError` (RFC 6750 challenge, JSON body); anything else is
 * rethrown so real faults are not disguised as authentication failures.
 *
 * @example
 * catch (e) { return errorResponse(e); }
 */
export function errorResponse(error: unknown): Response {
  if (!isVerifyError(error)) throw error;
  return toResponse(authFailure(error));
}

/**
 * `null` when the claims grant all `scopes`, else the 403 `insufficient_scope` `Response`.
 *
 * @example
 * const denied = requireScopes(claims, "orders:write");
 * if (denied) return denied;
 */
export function requireScopes(claims: AccessClaims, ...scopes: string[]): Response | null {
  checkScopeList(scopes);
  return hasScopes(claims, scopes) ? null : toResponse(insufficientScope(scopes));
}
