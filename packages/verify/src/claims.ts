import { VerifyError } from "./errors.js";
import type { AccessClaims } from "./types.js";

/** Claims every Tessera access token carries (RFC 9068 §2.2 plus `sid`). */
export const BASE_REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "sid"] as const;

/** What the claims are checked against; times in seconds. */
export interface ClaimRules {
  issuer: string;
  audiences: ReadonlySet<string>;
  required: readonly string[];
  clockTolerance: number;
  maxTokenAge: number | undefined;
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === "string";
const isNonEmptyString: Check = (v) => typeof v === "string" && v.length > 0;
const isNumericDate: Check = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * The JSON type each known claim must have when present. A claim of the wrong type (e.g. `"exp":
 * "1700000000"`, a numeric claim sent as a string) is `token_malformed`, not `claim_missing`: the
 * claim is there, but the token does not follow the format. (An absent claim is `claim_missing`.)
 */
const CLAIM_TYPES: Record<string, Check> = {
  iss: isNonEmptyString,
  sub: isNonEmptyString,
  aud: (v) =>
    isNonEmptyString(v) || (Array.isArray(v) && v.length > 0 && v.every((item) => isNonEmptyString(item))),
  exp: isNumericDate,
  iat: isNumericDate,
  nbf: isNumericDate,
  jti: isNonEmptyString,
  client_id: isNonEmptyString,
  sid: isNonEmptyString,
  scope: isString,
  roles: (v) => Array.isArray(v) && v.every(isString),
  epoch: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  cnf: (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    ((v as { jkt?: unknown }).jkt === undefined || isNonEmptyString((v as { jkt?: unknown }).jkt)),
};
const TYPED_CLAIMS = Object.keys(CLAIM_TYPES);

/**
 * Check a verified payload against the rules, in this order: claim types (`token_malformed`),
 * required claims (`claim_missing`), `iss` (`issuer_invalid`), `aud` (`audience_invalid`),
 * `exp` (`token_expired`), `nbf` and a future `iat` (`token_not_yet_valid`), `maxTokenAge`
 * (`token_too_old`). `nowSeconds` may be fractional.
 *
 * @example
 * const claims = checkClaims(payload, rules, Date.now() / 1000);
 */
export function checkClaims(
  payload: Record<string, unknown>,
  rules: ClaimRules,
  nowSeconds: number,
): AccessClaims {
  for (const name of TYPED_CLAIMS) {
    const value = payload[name];
    if (value !== undefined && !(CLAIM_TYPES[name] as Check)(value))
      throw new VerifyError("token_malformed", name);
  }
  for (const name of rules.required) {
    if (payload[name] === undefined) throw new VerifyError("claim_missing", name);
  }
  const claims = payload as AccessClaims;
  if (claims.iss !== rules.issuer) throw new VerifyError("issuer_invalid");
  const aud = claims.aud;
  if (typeof aud === "string" ? !rules.audiences.has(aud) : !aud.some((a) => rules.audiences.has(a))) {
    throw new VerifyError("audience_invalid");
  }
  const tolerance = rules.clockTolerance;
  if (nowSeconds - tolerance >= claims.exp) throw new VerifyError("token_expired");
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + tolerance)
    throw new VerifyError("token_not_yet_valid");
  if (claims.iat > nowSeconds + tolerance) throw new VerifyError("token_not_yet_valid");
  if (rules.maxTokenAge !== undefined && nowSeconds - claims.iat > rules.maxTokenAge + tolerance) {
    throw new VerifyError("token_too_old");
  }
  return claims;
}
