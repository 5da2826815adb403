import { TesseraError } from "../errors.js";

// RFC 6749 §3.3: space-separated scope tokens of printable ASCII without `"` and `\`.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
// RFC 7638 SHA-256 thumbprint, base64url.
const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Check the optional `scope` and `dpopJkt` of a session start (login, ticket): `invalid_input`
 * when either is malformed.
 *
 * @example
 * checkLoginOptions({ scope: "orders:read" });
 */
export function checkLoginOptions(input: { scope?: unknown; dpopJkt?: unknown }): void {
  if (input.scope !== undefined && (typeof input.scope !== "string" || !SCOPE.test(input.scope))) {
    throw new TesseraError("invalid_input", "scope is malformed");
  }
  if (input.dpopJkt !== undefined && (typeof input.dpopJkt !== "string" || !JKT.test(input.dpopJkt))) {
    throw new TesseraError("invalid_input", "dpopJkt is not a JWK thumbprint");
  }
}
