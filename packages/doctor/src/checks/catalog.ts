/** Every check the doctor knows, in report order. */
export const CATALOG = [
  { id: "transport.https", title: "HTTPS (plain HTTP on loopback only)" },
  { id: "transport.hsts", title: "Strict-Transport-Security" },
  { id: "metadata.issuer", title: "RFC 8414 metadata issuer" },
  { id: "metadata.endpoints", title: "RFC 8414 endpoints under the issuer" },
  { id: "jwks.public_only", title: "JWKS holds public keys only" },
  { id: "jwks.key_strength", title: "JWKS key sizes and algorithms" },
  { id: "jwks.kids", title: "JWKS kids unique, use=sig" },
  { id: "errors.malformed", title: "Malformed input: 4xx, no stack trace" },
  { id: "errors.shape", title: "Error bodies are JSON {error}" },
  { id: "cors.credentials", title: "CORS: no credentials for foreign origins" },
  { id: "cors.allowed_origin", title: "CORS for the --origin" },
  { id: "account", title: "Test account" },
  { id: "token.lifetime", title: "Access-token lifetime" },
  { id: "token.claims", title: "Access-token typ, iss, aud" },
  { id: "token.signature", title: "Access token verifies with the JWKS" },
  { id: "response.no_store", title: "Token responses: Cache-Control no-store" },
  { id: "cookie.prefix", title: "Refresh cookie __Secure-/__Host- prefix" },
  { id: "cookie.httponly", title: "Refresh cookie HttpOnly" },
  { id: "cookie.secure", title: "Refresh cookie Secure" },
  { id: "cookie.samesite", title: "Refresh cookie SameSite=Strict" },
  { id: "cookie.path", title: "Refresh cookie narrow Path" },
  { id: "cookie.lifetime", title: "Refresh cookie bounded lifetime" },
  { id: "token.query_string", title: "Tokens refused in the query string" },
  { id: "forgery.alg_none", title: "Forged token alg=none refused" },
  { id: "forgery.key_confusion", title: "HS256 with the public key refused" },
  { id: "forgery.foreign_key", title: "Token of a foreign key refused" },
  { id: "forgery.tampered", title: "Tampered payload refused" },
  { id: "csrf.header", title: "Refresh requires X-CSRF-Token" },
  { id: "csrf.origin", title: "Refresh refuses a foreign Origin" },
  { id: "refresh.rotation", title: "Refresh token rotates" },
  { id: "refresh.reuse", title: "Reuse detected, family revoked" },
  { id: "session.logout", title: "Logout revokes the session" },
  { id: "rate_limit.login", title: "Login rate limit: 429 + Retry-After" },
] as const;

export type CheckId = (typeof CATALOG)[number]["id"];

export function titleOf(id: CheckId): string {
  return CATALOG.find((c) => c.id === id)?.title ?? id;
}
