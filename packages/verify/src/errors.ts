/** Why a token was refused; a closed set so callers and logs can rely on it. */
export type VerifyErrorCode =
  | "token_missing"
  | "token_malformed"
  | "alg_not_allowed"
  | "key_not_found"
  | "signature_invalid"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_too_old"
  | "issuer_invalid"
  | "audience_invalid"
  | "type_invalid"
  | "claim_missing"
  | "token_revoked"
  // DPoP (RFC 9449)
  | "dpop_required"
  | "dpop_proof_invalid"
  | "dpop_unbound"
  | "dpop_not_configured";

/** Every code, in a stable order (for exhaustive tables and tests). */
export const VERIFY_ERROR_CODES: readonly VerifyErrorCode[] = [
  "token_missing",
  "token_malformed",
  "alg_not_allowed",
  "key_not_found",
  "signature_invalid",
  "token_expired",
  "token_not_yet_valid",
  "token_too_old",
  "issuer_invalid",
  "audience_invalid",
  "type_invalid",
  "claim_missing",
  "token_revoked",
  "dpop_required",
  "dpop_proof_invalid",
  "dpop_unbound",
  "dpop_not_configured",
];

const MESSAGES: Record<VerifyErrorCode, string> = {
  token_missing: "No bearer token was presented",
  token_malformed: "The token is not a well-formed access token",
  alg_not_allowed: "The token's algorithm is not allowed for its key",
  key_not_found: "No trusted key matches the token",
  signature_invalid: "The token's signature is invalid",
  token_expired: "The token has expired",
  token_not_yet_valid: "The token is not valid yet",
  token_too_old: "The token is older than the accepted maximum age",
  issuer_invalid: "The token was issued by an untrusted issuer",
  audience_invalid: "The token is not meant for this audience",
  type_invalid: "The token is not an access token",
  claim_missing: "The token lacks a required claim",
  token_revoked: "The token has been revoked",
  dpop_required: "The token is DPoP-bound and must be presented with the DPoP scheme and a proof",
  dpop_proof_invalid: "The DPoP proof is missing or invalid",
  dpop_unbound: "The token is not DPoP-bound but was presented with the DPoP scheme",
  dpop_not_configured:
    "DPoP-bound tokens are not accepted here: no public origin (baseUrl) is configured to check proofs against",
};

/**
 * A refused token. `code` is stable; `message` is generic and never contains the token or any
 * claim value, so it is safe to log and to send to clients.
 *
 * @example
 * try { await verifier.verify(token); }
 * catch (e) { if (e instanceof VerifyError && e.code === "token_expired") refresh(); }
 */
export class VerifyError extends Error {
  override readonly name = "VerifyError";
  readonly code: VerifyErrorCode;
  /**
   * For `claim_missing` and typed-claim failures: the claim name (never its value). For
   * `dpop_proof_invalid`: which check refused the proof (`header`, `typ`, `alg`, `jwk`,
   * `signature`, `jti`, `htm`, `htu`, `iat`, `ath`, `cnf`).
   */
  readonly claim: string | undefined;

  constructor(code: VerifyErrorCode, claim?: string) {
    super(claim === undefined ? MESSAGES[code] : `${MESSAGES[code]} (${claim})`);
    this.code = code;
    this.claim = claim;
  }
}

/**
 * Whether `value` is a {@link VerifyError} (also across duplicated module copies).
 *
 * @example
 * if (isVerifyError(err)) console.log(err.code);
 */
export function isVerifyError(value: unknown): value is VerifyError {
  return (
    value instanceof VerifyError ||
    (value instanceof Error &&
      value.name === "VerifyError" &&
      VERIFY_ERROR_CODES.includes((value as { code?: unknown }).code as VerifyErrorCode))
  );
}
