import { TesseraError } from "../errors.js";

/** One RFC 6749 §3.3 scope token: printable ASCII without space, `"` and `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// RFC 6749 §3.3: space-separated scope tokens.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/**
 * Parse a requested `scope` (space-separated tokens, RFC 6749 §3.3) into its tokens, in order,
 * without duplicates. `undefined` stays `undefined`; a malformed value is `invalid_input`.
 *
 * @example
 * parseScope("orders:read orders:write"); // ["orders:read", "orders:write"]
 */
export function parseScope(scope: unknown): string[] | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope !== "string" || scope.length > 4096 || !SCOPE.test(scope)) {
    throw new TesseraError("invalid_input", "scope is malformed");
  }
  return [...new Set(scope.split(" "))];
}

/**
 * The tokens of `wanted` that `allowed` contains, in the order of `wanted`.
 *
 * @example
 * intersect(["a", "b"], new Set(["b", "c"])); // ["b"]
 */
export function intersect(wanted: readonly string[], allowed: ReadonlySet<string>): string[] {
  return wanted.filter((token) => allowed.has(token));
}
