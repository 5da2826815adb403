import { type AccessTokenClaims, isTesseraError, type Tessera } from "@tessera/core";
import type { FastifyRequest } from "fastify";
import { dpopChallenge, dpopFailure } from "../dpop/dpop-failure.js";
import type { ServerDpop } from "../dpop/server-dpop.js";
import { HttpError } from "./http-error.js";
import { singleHeader } from "./single-header.js";

const MAX_TOKEN_LENGTH = 8192;
// RFC 6750 §2.1 b64token (the token68 of RFC 9449 §7.1 is the same grammar).
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MALFORMED = { "www-authenticate": 'Bearer error="invalid_request"' };
const INVALID_TOKEN = { "www-authenticate": 'Bearer error="invalid_token"' };

/**
 * Authenticates a request carrying an access token through `tessera.authenticate` (signature,
 * claims, and liveness: revoked session or older token epoch). Failures follow RFC 6750: no
 * credentials → 401 with a bare `WWW-Authenticate: Bearer`; an unusable token → 401
 * `error="invalid_token"`; a malformed or repeated header → 400 `error="invalid_request"`.
 *
 * DPoP-bound tokens (`cnf.jkt`, RFC 9449 §7) are accepted only as `Authorization: DPoP <token>`
 * with a valid proof of the bound key over this request and token (`ath`); sent as `Bearer` they
 * are 401 `WWW-Authenticate: DPoP error="invalid_token"`, and a bad proof is 401
 * `DPoP error="invalid_dpop_proof"` (or `use_dpop_nonce` with a `DPoP-Nonce`).
 *
 * @example
 * const claims = await authenticateBearer(tessera, request, dpop);
 */
export async function authenticateBearer(
  tessera: Tessera,
  request: FastifyRequest,
  dpop?: ServerDpop,
): Promise<AccessTokenClaims> {
  let header: string | undefined;
  try {
    header = singleHeader(request, "authorization");
  } catch {
    throw new HttpError("invalid_request", MALFORMED);
  }
  const scheme = header === undefined ? undefined : /^(bearer|dpop)(\s|$)/i.exec(header)?.[1]?.toLowerCase();
  if (header === undefined || scheme === undefined) {
    throw new HttpError("token_missing", { "www-authenticate": "Bearer" });
  }
  const match = /^[a-z]+ ([^\s]+)$/i.exec(header.trim());
  const token = match?.[1];
  if (token === undefined || !B64TOKEN.test(token)) throw new HttpError("invalid_request", MALFORMED);
  const invalidToken =
    scheme === "dpop" ? { "www-authenticate": dpopChallenge("invalid_token", dpop) } : INVALID_TOKEN;
  if (token.length > MAX_TOKEN_LENGTH) throw new HttpError("token_invalid", invalidToken);
  let claims: AccessTokenClaims;
  try {
    claims = await tessera.authenticate(token);
  } catch (error) {
    if (isTesseraError(error, "token_expired", "token_revoked"))
      throw new HttpError(error.code, invalidToken);
    if (isTesseraError(error) && error.code !== "store_unavailable") {
      throw new HttpError("token_invalid", invalidToken);
    }
    throw error;
  }
  const jkt = claims.cnf?.jkt;
  if (scheme === "bearer") {
    // A bound token is worthless without its key: never let it through as a plain bearer token.
    if (jkt !== undefined) {
      throw new HttpError("token_invalid", { "www-authenticate": dpopChallenge("invalid_token", dpop) });
    }
    return claims;
  }
  // The DPoP scheme is for bound tokens only (RFC 9449 §7.1).
  if (jkt === undefined || dpop === undefined) throw new HttpError("token_invalid", invalidToken);
  try {
    await dpop.check(request, { accessToken: token, expectedJkt: jkt });
  } catch (error) {
    throw dpopFailure(error, "resource", dpop);
  }
  return claims;
}
