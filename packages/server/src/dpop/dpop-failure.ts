import { isDpopError } from "@tessera/core";
import type { FastifyRequest } from "fastify";
import { HttpError } from "../http/http-error.js";
import type { ServerDpop } from "./server-dpop.js";

/**
 * Turns a refused proof into the HTTP answer RFC 9449 asks for. At the token endpoints (login,
 * `/oauth/token`, §5 and §8): 400 `invalid_dpop_proof` / `use_dpop_nonce` with `DPoP-Nonce`. At
 * protected resources (§7.1 and §9): 401 with `WWW-Authenticate: DPoP error="…"`. Anything that
 * is not a `DpopError` is passed on unchanged.
 *
 * @example
 * try { await ctx.dpop.check(request); } catch (e) { throw dpopFailure(e, "token", ctx.dpop); }
 */
export function dpopFailure(error: unknown, where: "token" | "resource", dpop: ServerDpop): unknown {
  if (!isDpopError(error)) return error;
  const headers: Record<string, string> = {};
  if (error.nonce !== undefined) headers["dpop-nonce"] = error.nonce;
  if (where === "token") return new HttpError(error.code, headers);
  headers["www-authenticate"] = dpopChallenge(error.code, dpop);
  return new HttpError(
    error.code === "use_dpop_nonce" ? "dpop_nonce_required" : "dpop_proof_rejected",
    headers,
  );
}

/**
 * The `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1) with the accepted algorithms.
 *
 * @example
 * dpopChallenge("invalid_token", dpop); // 'DPoP error="invalid_token", algs="ES256 EdDSA RS256 PS256"'
 */
export function dpopChallenge(error: string, dpop: ServerDpop | undefined): string {
  const algs = (dpop?.algorithms ?? []).join(" ");
  return algs === "" ? `DPoP error="${error}"` : `DPoP error="${error}", algs="${algs}"`;
}

/**
 * The thumbprint of a request's DPoP proof at a token endpoint (`/auth/login`, `/oauth/token`,
 * `/oauth/revoke`), or `undefined` when it carries none. Checked before any token is touched; a
 * refused proof is thrown as the endpoint's 400 (see {@link dpopFailure}).
 *
 * @example
 * const dpopJkt = await tokenEndpointProof(request, ctx.dpop);
 */
export async function tokenEndpointProof(
  request: FastifyRequest,
  dpop: ServerDpop,
): Promise<string | undefined> {
  if (!dpop.present(request)) return undefined;
  try {
    return (await dpop.check(request)).jkt;
  } catch (error) {
    throw dpopFailure(error, "token", dpop);
  }
}
