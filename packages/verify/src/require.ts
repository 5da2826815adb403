import { VerifyError } from "./errors.js";
import { type AuthFailure, authFailure, checkScopeList, hasScopes, insufficientScope } from "./http-auth.js";
import type { AccessClaims } from "./types.js";

/** A role name as Tessera assigns them. */
const ROLE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;

/**
 * What a route demands of a verified token, checked by every middleware's `requireScope` /
 * `requireRole` the same way.
 */
export interface Requirement {
  allows(claims: AccessClaims): boolean;
  /** The 403 answer when the token does not meet it. */
  readonly failure: AuthFailure;
}

/**
 * Whether the claims list every one of `roles` (the `roles` array claim, RFC 9068 §2.2.3.1).
 *
 * @example
 * hasRoles(claims, ["admin"]);
 */
export function hasRoles(claims: AccessClaims | null | undefined, roles: readonly string[]): boolean {
  const held = claims?.roles;
  return Array.isArray(held) && roles.every((role) => held.includes(role));
}

/**
 * The 403 for a token without a needed role: RFC 6750 §3.1 `insufficient_scope` (roles are how
 * the token's scope was granted), `{"error":"insufficient_scope","message":…}`.
 *
 * @example
 * const failure = insufficientRole();
 */
export function insufficientRole(): AuthFailure {
  return {
    status: 403,
    headers: {
      "www-authenticate":
        'Bearer error="insufficient_scope", error_description="The token lacks a required role"',
      "cache-control": "no-store",
    },
    body: { error: "insufficient_scope", message: "The token lacks a required role" },
  };
}

/**
 * A requirement of every one of `scopes` (checked once, here: `TypeError` for none or a malformed
 * scope token).
 *
 * @example
 * const needs = scopeRequirement(["orders:write"]);
 */
export function scopeRequirement(scopes: readonly string[]): Requirement {
  checkScopeList(scopes);
  const failure = insufficientScope(scopes);
  return { allows: (claims) => hasScopes(claims, scopes), failure };
}

/**
 * A requirement of every one of `roles` (checked once, here: `TypeError` for none or a name that
 * no Tessera role can have).
 *
 * @example
 * const needs = roleRequirement(["admin"]);
 */
export function roleRequirement(roles: readonly string[]): Requirement {
  if (roles.length === 0 || roles.some((role) => typeof role !== "string" || !ROLE_NAME.test(role))) {
    throw new TypeError("requireRole: give one or more role names (^[a-z][a-z0-9_.:-]{0,63}$)");
  }
  const failure = insufficientRole();
  return { allows: (claims) => hasRoles(claims, roles), failure };
}

/**
 * The answer to a request against a requirement: `null` to let it through, the 401
 * `token_missing` when no token was verified (e.g. an optional auth middleware let it pass), or
 * the requirement's 403.
 *
 * @example
 * const failure = judge(req.auth, needs);
 * if (failure) return send(res, failure);
 */
export function judge(claims: AccessClaims | null | undefined, requirement: Requirement): AuthFailure | null {
  if (!claims) return authFailure(new VerifyError("token_missing"));
  return requirement.allows(claims) ? null : requirement.failure;
}

/**
 * For plain `Request` handlers: `null` when the claims hold every one of `roles`, else the 403
 * `insufficient_scope` `Response`.
 *
 * @example
 * const claims = await verifyRequest(verifier, request);
 * const denied = requireRoles(claims, "admin");
 * if (denied) return denied;
 */
export function requireRoles(claims: AccessClaims, ...roles: string[]): Response | null {
  const failure = judge(claims, roleRequirement(roles));
  return failure === null
    ? null
    : Response.json(failure.body, { status: failure.status, headers: failure.headers });
}
