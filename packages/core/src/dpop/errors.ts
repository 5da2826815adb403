/** The two error codes of RFC 9449 (§5, §7.1, §8, §9), exactly as they go on the wire. */
export type DpopErrorCode = "invalid_dpop_proof" | "use_dpop_nonce";

/**
 * Which check of RFC 9449 §4.3 a proof failed. For logs, metrics and tests; never sent to
 * clients (they only see the code).
 */
export type DpopFailure =
  | "header_count"
  | "malformed"
  | "typ"
  | "alg"
  | "jwk"
  | "private_jwk"
  | "signature"
  | "claims"
  | "htm"
  | "htu"
  | "iat"
  | "ath"
  | "key_mismatch"
  | "nonce"
  | "replay";

/**
 * A refused DPoP proof. `code` is what the client is told; `failure` says which check refused
 * it. `nonce` carries a fresh server nonce for `use_dpop_nonce` answers (the `DPoP-Nonce` header).
 * Messages are generic: never the proof, a token or a key.
 *
 * @example
 * try { await verifyDpopProof(input); }
 * catch (e) { if (e instanceof DpopError && e.code === "use_dpop_nonce") reply.header("dpop-nonce", e.nonce); }
 */
export class DpopError extends Error {
  override readonly name = "DpopError";
  readonly code: DpopErrorCode;
  readonly failure: DpopFailure;
  readonly nonce: string | undefined;

  constructor(code: DpopErrorCode, failure: DpopFailure, nonce?: string) {
    super(code === "use_dpop_nonce" ? "a DPoP nonce is required" : `DPoP proof refused (${failure})`);
    this.code = code;
    this.failure = failure;
    this.nonce = nonce;
  }
}

/**
 * Narrow an unknown error to a {@link DpopError}.
 *
 * @example
 * if (isDpopError(error)) reply.code(400).send({ error: error.code });
 */
export function isDpopError(error: unknown): error is DpopError {
  return error instanceof DpopError;
}
