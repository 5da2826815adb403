import type { IntrospectionResult } from "../api.js";
import { isTesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { isFamilyLive } from "../sessions/liveness.js";
import { findRefreshToken } from "../sessions/lookup.js";
import { authenticate } from "./authenticate.js";

/**
 * RFC 7662 introspection: `active: true` only for a token that is fully valid and live right
 * now — an access token that passes `authenticate`, or an unused, unexpired refresh token of a
 * live family. Everything else is `{ active: false }`, without saying why.
 *
 * @example
 * const result = await introspect(rt, token);
 */
export async function introspect(rt: Runtime, token: unknown): Promise<IntrospectionResult> {
  if (typeof token !== "string") return { active: false };
  if (token.startsWith("tsr_")) {
    const found = await findRefreshToken(rt, token);
    const now = rt.clock.now();
    if (found === null || found.token.usedAt !== null || now >= found.token.expiresAt)
      return { active: false };
    if (!isFamilyLive(found.session, now)) return { active: false };
    const result: IntrospectionResult = {
      active: true,
      token_type: "refresh_token",
      sub: found.session.userId,
      sid: found.session.id,
      client_id: found.session.clientId,
      iss: rt.options.issuer,
      iat: Math.floor(found.token.createdAt / 1000),
      exp: Math.floor(found.token.expiresAt / 1000),
    };
    if (found.session.scope !== null) result.scope = found.session.scope;
    return withEmailVerified(rt, result);
  }
  try {
    const claims = await authenticate(rt, token);
    return withEmailVerified(rt, {
      active: true,
      token_type: claims.cnf === undefined ? "Bearer" : "DPoP",
      ...claims,
    });
  } catch (error) {
    if (isTesseraError(error, "token_invalid", "token_expired", "token_revoked")) return { active: false };
    throw error;
  }
}

async function withEmailVerified(
  rt: Runtime,
  result: IntrospectionResult & { active: true },
): Promise<IntrospectionResult> {
  const user = result.sub === undefined ? null : await rt.store.getUserById(result.sub);
  return { ...result, email_verified: user?.emailVerified ?? false };
}
