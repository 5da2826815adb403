import { isVerifyError } from "./errors.js";
import {
  type AuthFailure,
  authFailure,
  checkScopeList,
  dpopBaseUrl,
  hasScopes,
  insufficientScope,
  isCorsPreflight,
} from "./http-auth.js";
import type { AccessClaims, Verifier } from "./types.js";

/**
 * Verify the access token of a Web `Request` (Fetch API: Deno, Bun, workers, Next.js route
 * handlers, …): `Authorization: Bearer …`, or `Authorization: DPoP …` with a `DPoP` proof for
 * DPoP-bound tokens (RFC 9449; `htu` is checked against `baseUrl` + the request's path). DPoP
 * needs `baseUrl`, the API's public origin: `request.url` comes from the `Host` header, so a
 * bound token without it is `dpop_not_configured`. Rejects with `VerifyError` (a malformed
 * `baseUrl` with `TypeError`).
 *
 * @example
 * export async function GET(request: Request) {
 *   let claims;
 *   try { claims = await verifyRequest(verifier, request); }
 *   catch (e) { return errorResponse(e); }
 *   return Response.json({ user: claims.sub });
 * }
 */
export async function verifyRequest(
  verifier: Verifier,
  request: Request,
  options: { baseUrl?: string } = {},
): Promise<AccessClaims> {
  const base = dpopBaseUrl(options.baseUrl, "verifyRequest");
  return verifier.verifyRequest({
    method: request.method,
    ...(base === undefined ? {} : { url: `${base}${new URL(request.url).pathname}` }),
    authorization: request.headers.get("authorization"),
    dpop: request.headers.get("dpop"),
  });
}

/**
 * Whether a Web `Request` is a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`):
 * browsers send it without credentials, so answer it with your CORS headers before calling
 * {@link verifyRequest}, never with a 401.
 *
 * @example
 * if (isPreflight(request)) return new Response(null, { status: 204, headers: corsHeaders });
 * const claims = await verifyRequest(verifier, request);
 */
export function isPreflight(request: Request): boolean {
  return isCorsPreflight(request.method, request.headers.get("access-control-request-method"));
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
