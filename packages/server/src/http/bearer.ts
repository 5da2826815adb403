import { type AccessTokenClaims, isTesseraError, type Tessera } from "@tessera/core";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";
import { singleHeader } from "./single-header.js";

const MAX_TOKEN_LENGTH = 8192;
// RFC 6750 §2.1 b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MALFORMED = { "www-authenticate": 'Bearer error="invalid_request"' };
const INVALID_TOKEN = { "www-authenticate": 'Bearer error="invalid_token"' };

/**
 * Authenticates a Bearer request through `tessera.authenticate` (signature, claims, and liveness:
 * revoked session or older token epoch). Failures follow RFC 6750: no bearer credentials → 401
 * with a bare `WWW-Authenticate: Bearer`; an unusable token → 401 `error="invalid_token"`; a
 * malformed or repeated header → 400 `error="invalid_request"`.
 *
 * @example
 * const claims = await authenticateBearer(tessera, request);
 */
export async function authenticateBearer(
  tessera: Tessera,
  request: FastifyRequest,
): Promise<AccessTokenClaims> {
  let header: string | undefined;
  try {
    header = singleHeader(request, "authorization");
  } catch {
    throw new HttpError("invalid_request", MALFORMED);
  }
  if (header === undefined || !/^bearer(\s|$)/i.test(header)) {
    throw new HttpError("token_missing", { "www-authenticate": "Bearer" });
  }
  const match = /^bearer ([^\s]+)$/i.exec(header.trim());
  const token = match?.[1];
  if (token === undefined || !B64TOKEN.test(token)) throw new HttpError("invalid_request", MALFORMED);
  if (token.length > MAX_TOKEN_LENGTH) throw new HttpError("token_invalid", INVALID_TOKEN);
  try {
    return await tessera.authenticate(token);
  } catch (error) {
    if (isTesseraError(error, "token_expired", "token_revoked"))
      throw new HttpError(error.code, INVALID_TOKEN);
    if (isTesseraError(error) && error.code !== "store_unavailable") {
      throw new HttpError("token_invalid", INVALID_TOKEN);
    }
    throw error;
  }
}
