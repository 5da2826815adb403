import { randomUUID } from "node:crypto";
import type { AccessTokenClaims, TokenSet } from "../api.js";
import { csrfTokenOf } from "../csrf.js";
import type { Runtime } from "../runtime.js";
import type { SessionRecord, UserRecord } from "../store.js";
import { signAccessToken } from "../tokens/access.js";

/**
 * Sign a new access token for a session and bundle it with the refresh token and the session's
 * (stable) CSRF token. The token carries the user's current token epoch, so a later logout-all
 * or password change orders exactly against it even within the same second.
 *
 * @example
 * const set = await issueTokenSet(rt, { user, session, refreshToken, now });
 */
export async function issueTokenSet(
  rt: Runtime,
  input: { user: UserRecord; session: SessionRecord; refreshToken: string; now: number },
): Promise<TokenSet> {
  const { user, session, refreshToken, now } = input;
  const iat = Math.floor(now / 1000);
  const expiresIn = Math.ceil(rt.options.accessTokenTtlMs / 1000);
  const claims: AccessTokenClaims = {
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
  if (session.scope !== null) claims.scope = session.scope;
  if (session.dpopJkt !== null) claims.cnf = { jkt: session.dpopJkt };
  return {
    accessToken: signAccessToken(await rt.ring.signingKey(), claims),
    expiresIn,
    refreshToken,
    csrfToken: csrfTokenOf(rt.csrfKey, session.id),
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
    user: { id: user.id, email: user.email },
  };
}
