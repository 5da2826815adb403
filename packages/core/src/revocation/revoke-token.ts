import type { ClientContext } from "../api.js";
import { isTesseraError, TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { findRefreshToken } from "../sessions/lookup.js";
import { revokeFamily } from "../sessions/revoke.js";
import { verifyAccessToken } from "../tokens/access.js";

/**
 * RFC 7009 revocation: a refresh token whose secret matches revokes its family; an access token
 * with a valid signature from our issuer (expired or not) revokes its `sid`'s family; anything
 * else is a no-op, as the RFC requires (the endpoint answers 200 either way). A token bound to a
 * DPoP key — a refresh token of a bound family, an access token with `cnf.jkt` — revokes only
 * when `dpopJkt` (the thumbprint of a verified proof) is that key: otherwise `dpop_key_required`
 * and nothing is revoked, so a thief without the key cannot end the owner's session.
 *
 * @example
 * await revokeToken(rt, token, context, proof?.jkt);
 */
export async function revokeToken(
  rt: Runtime,
  token: unknown,
  context: ClientContext,
  dpopJkt?: string,
): Promise<void> {
  if (typeof token !== "string" || token.length > 8192) return;
  const requireKey = (bound: string | null | undefined): void => {
    if (bound != null && bound !== dpopJkt)
      throw new TesseraError("dpop_key_required", "DPoP proof required");
  };
  if (token.startsWith("tsr_")) {
    const found = await findRefreshToken(rt, token);
    if (found !== null) {
      requireKey(found.session.dpopJkt);
      await revokeFamily(rt, {
        sessionId: found.session.id,
        userId: found.session.userId,
        reason: "token_revoked",
        context,
      });
    }
    return;
  }
  try {
    const claims = await verifyAccessToken(token, (kid) => rt.ring.find(kid), {
      issuer: rt.options.issuer,
      audiences: rt.audiences,
      now: rt.clock.now(),
      checkExpiry: false,
    });
    requireKey(claims.cnf?.jkt);
    await revokeFamily(rt, { sessionId: claims.sid, userId: claims.sub, reason: "token_revoked", context });
  } catch (error) {
    if (!isTesseraError(error, "token_invalid")) throw error;
  }
}
