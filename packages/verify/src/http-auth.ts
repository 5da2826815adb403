import { DPOP_ALGORITHMS } from "./dpop-proof.js";
import { VerifyError, type VerifyErrorCode } from "./errors.js";
import type { AccessClaims } from "./types.js";

/** What a middleware answers when it refuses a request (RFC 6750 §3). */
export interface AuthFailure {
  status: 401 | 403;
  headers: Record<string, string>;
  body: { error: VerifyErrorCode | "insufficient_scope"; message: string };
}

const ALGS = `algs="${DPOP_ALGORITHMS.join(" ")}"`;

/** RFC 9449 §7.1 challenges for the DPoP codes (the accepted proof algorithms included). */
const DPOP_CHALLENGES: Partial<Record<VerifyErrorCode, string>> = {
  dpop_required: `DPoP error="invalid_token", ${ALGS}`,
  dpop_unbound: `DPoP error="invalid_token", ${ALGS}`,
  dpop_proof_invalid: `DPoP error="invalid_dpop_proof", ${ALGS}`,
};

/**
 * The configured public origin (and path prefix) a middleware checks DPoP `htu` against, without
 * trailing slashes; `undefined` when none is configured (then DPoP-bound tokens are refused with
 * `dpop_not_configured`: the origin is never taken from the `Host` header). A value that is not an
 * absolute http(s) URL without query, fragment or credentials throws a `TypeError` at setup.
 *
 * @example
 * const base = dpopBaseUrl(options.baseUrl, "expressAuth"); // "https://api.example.com"
 */
export function dpopBaseUrl(baseUrl: string | undefined, who: string): string | undefined {
  if (baseUrl === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.search !== "" ||
    url.hash !== "" ||
    url.username !== "" ||
    url.password !== "" ||
    /[?#]/.test(baseUrl)
  ) {
    throw new TypeError(`${who}: baseUrl must be an absolute http(s) URL such as https://api.example.com`);
  }
  return baseUrl.replace(/\/+$/, "");
}

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token of an `Authorization` header value, or `undefined` when the request carries
 * no bearer credentials. Only the header is ever read: tokens in URLs or bodies leak into logs
 * and caches (RFC 6750 §5.3). A `Bearer` header with a malformed value is `token_malformed`.
 *
 * @example
 * bearerToken("Bearer eyJ…"); // "eyJ…"
 * bearerToken("Basic dXNlcg=="); // undefined
 */
export function bearerToken(
  authorization: string | readonly string[] | null | undefined,
): string | undefined {
  if (authorization === undefined || authorization === null || authorization === "") return undefined;
  if (typeof authorization !== "string") throw new VerifyError("token_malformed");
  const space = authorization.indexOf(" ");
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return undefined;
  const token = space < 0 ? "" : authorization.slice(space + 1).trim();
  if (!B64TOKEN.test(token)) throw new VerifyError("token_malformed");
  return token;
}

/** The credentials of an `Authorization` header: RFC 6750 `Bearer` or RFC 9449 `DPoP`. */
export interface Credentials {
  scheme: "bearer" | "dpop";
  token: string;
}

/**
 * The access token of an `Authorization` header under the `Bearer` or the `DPoP` scheme, or
 * `undefined` when there is none (another scheme, or no header). A malformed value under either
 * scheme is `token_malformed`.
 *
 * @example
 * credentials("DPoP eyJ…"); // { scheme: "dpop", token: "eyJ…" }
 */
export function credentials(
  authorization: string | readonly string[] | null | undefined,
): Credentials | undefined {
  if (authorization === undefined || authorization === null || authorization === "") return undefined;
  if (typeof authorization !== "string") throw new VerifyError("token_malformed");
  const space = authorization.indexOf(" ");
  const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  if (scheme !== "bearer" && scheme !== "dpop") return undefined;
  const token = space < 0 ? "" : authorization.slice(space + 1).trim();
  if (!B64TOKEN.test(token)) throw new VerifyError("token_malformed");
  return { scheme, token };
}

/**
 * The 401 for a refused token: `WWW-Authenticate: Bearer error="invalid_token"` — without an
 * error attribute when no token was sent (RFC 6750 §3.1) — and `{error, message}` JSON. The DPoP
 * codes get RFC 9449 §7.1 challenges instead: `DPoP error="invalid_token"` for a bound token sent
 * as Bearer (or an unbound one sent as DPoP), `DPoP error="invalid_dpop_proof"` for a bad proof.
 * The message is generic per code; the token is never echoed.
 *
 * @example
 * const { status, headers, body } = authFailure(new VerifyError("token_expired"));
 */
export function authFailure(error: VerifyError): AuthFailure {
  const message = new VerifyError(error.code).message;
  const dpop = DPOP_CHALLENGES[error.code];
  if (dpop !== undefined) {
    return {
      status: 401,
      headers: { "www-authenticate": dpop, "cache-control": "no-store" },
      body: { error: error.code, message },
    };
  }
  const challenge =
    error.code === "token_missing"
      ? "Bearer"
      : `Bearer error="invalid_token", error_description="${message}"`;
  return {
    status: 401,
    headers: { "www-authenticate": challenge, "cache-control": "no-store" },
    body: { error: error.code, message },
  };
}

function parseScopes(claims: AccessClaims | null | undefined): Set<string> {
  const scope = claims?.scope;
  return new Set(typeof scope === "string" ? scope.split(" ").filter(Boolean) : []);
}

/**
 * Whether the claims grant every one of `scopes` (space-separated `scope` claim).
 *
 * @example
 * hasScopes(claims, ["orders:read"]);
 */
export function hasScopes(claims: AccessClaims | null | undefined, scopes: readonly string[]): boolean {
  const granted = parseScopes(claims);
  return scopes.every((s) => granted.has(s));
}

/**
 * The 403 for a token without the needed scopes (RFC 6750 §3.1 `insufficient_scope`).
 *
 * @example
 * const failure = insufficientScope(["orders:write"]);
 */
export function insufficientScope(scopes: readonly string[]): AuthFailure {
  const scope = scopes.filter((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)).join(" ");
  return {
    status: 403,
    headers: {
      "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"`,
      "cache-control": "no-store",
    },
    body: { error: "insufficient_scope", message: "The token lacks a required scope" },
  };
}

/** Validate the scope list given to a `requireScope` helper once, at setup. */
export function checkScopeList(scopes: readonly string[]): readonly string[] {
  if (
    scopes.length === 0 ||
    scopes.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  ) {
    throw new TypeError("requireScope: give one or more scope tokens (RFC 6749 §3.3)");
  }
  return scopes;
}

/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers never put
 * credentials on it, so the middlewares let it through unauthenticated, to the CORS handler.
 *
 * @example
 * isCorsPreflight("OPTIONS", "POST"); // true
 */
export function isCorsPreflight(method: string, accessControlRequestMethod: unknown): boolean {
  return (
    method === "OPTIONS" &&
    typeof accessControlRequestMethod === "string" &&
    accessControlRequestMethod !== ""
  );
}
