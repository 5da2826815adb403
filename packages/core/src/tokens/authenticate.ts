import type { AccessTokenClaims } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { verifyAccessToken } from "./access.js";

/** Longer than any token we issue; refuses pathological inputs before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verify an access token and that it is still live, with one store read: its session (`sid`) is
 * not revoked and its `epoch` is not below the user's current token epoch. Throws
 * `token_invalid`, `token_expired` or `token_revoked`.
 *
 * @example
 * const claims = await authenticate(rt, bearerToken);
 */
export async function authenticate(rt: Runtime, token: unknown): Promise<AccessTokenClaims> {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new TesseraError("token_invalid", "access token invalid: malformed");
  }
  const claims = await verifyAccessToken(token, (kid) => rt.ring.find(kid), {
    issuer: rt.options.issuer,
    audiences: rt.audiences,
    now: rt.clock.now(),
  });
  const state = await rt.store.getAccessState(claims.sub, claims.sid);
  if (state === null || state.sessionRevoked || claims.epoch < state.tokenEpoch) {
    throw new TesseraError("token_revoked", "access token revoked");
  }
  return claims;
}
