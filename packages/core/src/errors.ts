/**
 * Every failure the core reports. The HTTP server maps each code to a status and body in one
 * table; tests assert on `code`, never on message text.
 */
export type TesseraErrorCode =
  // input and accounts
  | "invalid_input"
  | "weak_password"
  | "email_taken"
  | "registration_closed"
  | "invalid_credentials"
  | "not_found"
  /** The user is disabled by an administrator (the password, or the ticket, was right). */
  | "account_disabled"
  /** A login ticket that is unknown, already used or expired. */
  | "invalid_ticket"
  /** A password-reset or verification token that is unknown, used, expired or superseded. */
  | "invalid_token"
  /** Correct password, but `emailVerification: "required"` and the address is not verified. */
  | "email_unverified"
  // refresh tokens and sessions
  | "refresh_invalid"
  | "refresh_expired"
  | "refresh_reused"
  | "session_revoked"
  | "session_expired"
  | "context_mismatch"
  /** A refresh asked for a scope outside its session's (RFC 6749 §6); nothing was consumed. */
  | "invalid_scope"
  /** `refresh({ csrfToken })` on a live session with another session's (or no valid) CSRF token. */
  | "csrf_invalid"
  // access tokens
  | "token_invalid"
  | "token_expired"
  | "token_revoked"
  /** A DPoP-bound token used without a proof of its key where one is required (revocation). */
  | "dpop_key_required"
  /** The embedder's `claims` hook returned a registered claim name, or the token grew past 8 KiB. */
  | "claims_rejected"
  // keys and storage
  | "key_unavailable"
  /** A key-ring change was planned from a ring another instance changed meanwhile. */
  | "key_ring_changed"
  | "master_key_mismatch"
  | "store_unavailable";

/**
 * The one error class of the core. Messages are generic and never contain a token, a
 * password or a hash.
 *
 * @example
 * try { await tessera.refresh({ refreshToken, context }); }
 * catch (e) { if (e instanceof TesseraError && e.code === "refresh_reused") { … } }
 */
export class TesseraError extends Error {
  override readonly name = "TesseraError";
  readonly code: TesseraErrorCode;

  constructor(code: TesseraErrorCode, message: string = code, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Narrow an unknown error to a TesseraError with one of the given codes. */
export function isTesseraError(error: unknown, ...codes: TesseraErrorCode[]): error is TesseraError {
  return error instanceof TesseraError && (codes.length === 0 || codes.includes(error.code));
}
