import { TesseraError } from "../errors.js";
import type { SessionRecord, UserRecord } from "../store.js";
import { permissionsOf, type RolePolicy } from "./policy.js";
import { intersect, parseScope } from "./scope.js";

/** What an embedder's `claims` hook is told about the token being issued. */
export interface ClaimsHookInput {
  user: { id: string; email: string; roles: readonly string[] };
  session: { id: string; clientId: string; scope: string; createdAt: number; expiresAt: number };
}

/**
 * An embedder's extra claims, computed at every issuance. Must not return a registered claim
 * name (see {@link REGISTERED_CLAIMS}).
 */
export type ClaimsHook = (
  input: ClaimsHookInput,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Claim names Tessera sets itself; a `claims` hook may not return them. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set(
  "iss sub aud exp nbf iat jti sid client_id scope roles epoch cnf".split(" "),
);

/** The largest access token Tessera signs (headers beyond 8 KiB are refused by many servers). */
export const MAX_TOKEN_BYTES = 8192;

/**
 * The permissions the user holds now (from their roles), as a set.
 *
 * @example
 * heldPermissions(policy, user).has("orders:read");
 */
export function heldPermissions(policy: RolePolicy, user: Pick<UserRecord, "roles">): Set<string> {
  return new Set(permissionsOf(policy, user.roles));
}

/**
 * The scope of an access token: the session's asked scope (none asked = everything the user
 * holds), narrowed by this refresh's own `narrowTo` when given, intersected with what the user
 * holds at this moment. May be empty.
 *
 * @example
 * grantedScope(policy, user, session, ["orders:read"]); // ["orders:read"] or []
 */
export function grantedScope(
  policy: RolePolicy,
  user: Pick<UserRecord, "roles">,
  session: Pick<SessionRecord, "scope">,
  narrowTo?: readonly string[],
): string[] {
  const held = heldPermissions(policy, user);
  const asked = parseScope(session.scope ?? undefined) ?? [...held];
  const granted = intersect(asked, held);
  return narrowTo === undefined ? granted : intersect(granted, new Set(narrowTo));
}

/**
 * Check a refresh's requested scope before anything is consumed: every token must lie within the
 * session's scope (for a session that asked for none, within what the user holds now); anything
 * else is `invalid_scope` (RFC 6749 §6).
 *
 * @example
 * checkRefreshScope(policy, user, session, ["orders:read"]);
 */
export function checkRefreshScope(
  policy: RolePolicy,
  user: Pick<UserRecord, "roles">,
  session: Pick<SessionRecord, "scope">,
  requested: readonly string[],
): void {
  const allowed = new Set(parseScope(session.scope ?? undefined) ?? heldPermissions(policy, user));
  if (!requested.every((token) => allowed.has(token))) {
    throw new TesseraError("invalid_scope", "the requested scope exceeds the session's");
  }
}

/**
 * Run the embedder's hook and check its answer: a plain object without registered claim names,
 * else `claims_rejected`.
 *
 * @example
 * const extra = await extraClaims(hook, { user, session });
 */
export async function extraClaims(
  hook: ClaimsHook | undefined,
  input: ClaimsHookInput,
): Promise<Record<string, unknown>> {
  if (hook === undefined) return {};
  const extra = await hook(input);
  if (typeof extra !== "object" || extra === null || Array.isArray(extra)) {
    throw new TesseraError("claims_rejected", "the claims hook must return an object");
  }
  for (const name of Object.keys(extra)) {
    if (REGISTERED_CLAIMS.has(name)) {
      throw new TesseraError("claims_rejected", `the claims hook may not set the registered claim ${name}`);
    }
  }
  return extra;
}
