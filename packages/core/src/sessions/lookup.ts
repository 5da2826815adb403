import type { Runtime } from "../runtime.js";
import type { RefreshTokenRecord, SessionRecord } from "../store.js";
import { parseRefreshToken, type RefreshTokenParts, refreshSecretMatches } from "../tokens/refresh.js";

export interface FoundRefreshToken {
  parts: RefreshTokenParts;
  token: RefreshTokenRecord;
  session: SessionRecord;
}

/**
 * Find a presented refresh token: parse it, load it by id, compare the secret's hash in constant
 * time. `null` for anything malformed, unknown or mismatched — callers answer `refresh_invalid`
 * and never treat that as reuse (someone guessing ids must not be able to revoke families).
 *
 * @example
 * const found = await findRefreshToken(rt, cookieValue);
 */
export async function findRefreshToken(rt: Runtime, presented: unknown): Promise<FoundRefreshToken | null> {
  if (typeof presented !== "string") return null;
  const parts = parseRefreshToken(presented);
  if (parts === null) return null;
  const found = await rt.store.getRefreshToken(parts.id);
  if (found === null || !refreshSecretMatches(parts.secret, found.token.secretHash)) return null;
  return { parts, token: found.token, session: found.session };
}
