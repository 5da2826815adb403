import { randomUUID } from "node:crypto";
import type { AccessTokenClaims, TokenSet } from "../api.js";
import { csrfTokenOf } from "../csrf.js";
import { TesseraError } from "../errors.js";
import { extraClaims, grantedScope, MAX_TOKEN_BYTES } from "../permissions/claims.js";
import type { Runtime } from "../runtime.js";
import type { SessionRecord, UserRecord } from "../store.js";
import { signAccessToken } from "../tokens/access.js";

/**
 * Sign a new access token for a session and bundle it with the refresh token and the session's
 * (stable) CSRF token. The token carries the user's current token epoch, so a later logout-all
 * or password change orders exactly against it even within the same second, and the user's
 * roles and granted `scope` as they are at this moment (the session's asked scope, narrowed by
 * `narrowTo` for this token only, intersected with what the user's roles grant now), plus the
 * embedder's `claims` hook output.
 *
 * @example
 * const set = await issueTokenSet(rt, { user, session, refreshToken, now });
 */
export async function issueTokenSet(
  rt: Runtime,
  input: {
    user: UserRecord;
    session: SessionRecord;
    refreshToken: string;
    now: number;
    narrowTo?: readonly string[] | undefined;
  },
): Promise<TokenSet> {
  const { user, session, refreshToken, now } = input;
  const iat = Math.floor(now / 1000);
  const expiresIn = Math.ceil(rt.options.accessTokenTtlMs / 1000);
  const scope = grantedScope(rt.policy, user, session, input.narrowTo).join(" ");
  const extra = await extraClaims(rt.claimsHook, {
    user: { id: user.id, email: user.email, roles: user.roles },
    session: {
      id: session.id,
      clientId: session.clientId,
      scope,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
    },
  });
  const claims: AccessTokenClaims = {
    ...extra,
    iss: rt.options.issuer,
    sub: user.id,
    aud: rt.options.audience,
    client_id: session.clientId,
    iat,
    exp: iat + expiresIn,
    jti: randomUUID(),
    sid: session.id,
    epoch: user.tokenEpoch,
  };
  if (user.roles.length > 0) claims.roles = [...user.roles];
  if (scope !== "") claims.scope = scope;
  if (session.dpopJkt !== null) claims.cnf = { jkt: session.dpopJkt };
  const accessToken = signAccessToken(await rt.ring.signingKey(), claims);
  if (accessToken.length > MAX_TOKEN_BYTES) {
    throw new TesseraError("claims_rejected", `the access token would exceed ${MAX_TOKEN_BYTES} bytes`);
  }
  return {
    accessToken,
    expiresIn,
    refreshToken,
    csrfToken: csrfTokenOf(rt.csrfKey, session.id),
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
    scope,
    user: { id: user.id, email: user.email, roles: [...user.roles] },
  };
}
