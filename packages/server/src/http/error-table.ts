import type { TesseraErrorCode } from "@tessera/core";

/** Error codes the HTTP layer itself produces (beside the core's `TesseraErrorCode`s). */
export type ServerErrorCode =
  | "invalid_request"
  | "token_missing"
  | "csrf_failed"
  // server sessions (`@tessera/server/sessions`): a guard without a session, or without the role/scope
  | "session_required"
  | "insufficient_scope"
  | "origin_not_allowed"
  | "rate_limited"
  | "payload_too_large"
  | "unsupported_media_type"
  | "not_found"
  | "method_not_allowed"
  | "server_error"
  | "store_unavailable"
  | "shutting_down"
  // OAuth 2.0 (RFC 6749 §5.2, RFC 7662)
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type"
  // DPoP (RFC 9449): at token endpoints, and the 401 forms at protected resources
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "dpop_proof_rejected"
  | "dpop_nonce_required";

interface Entry {
  status: number;
  /** The code sent on the wire (internal failures are not told apart to callers). */
  wire: WireErrorCode;
  message: string;
}

/** Every `error` value a client can ever see. */
export type WireErrorCode = Exclude<
  ServerErrorCode | TesseraErrorCode,
  | "key_unavailable"
  | "key_ring_changed"
  | "master_key_mismatch"
  | "dpop_proof_rejected"
  | "dpop_nonce_required"
  | "dpop_key_required"
  | "csrf_invalid"
  | "claims_rejected"
>;

/**
 * The one table from error code to HTTP status and public message. Messages are fixed text,
 * so nothing a caller sent (a token, a password) can ever be echoed back.
 */
export const ERROR_TABLE: Readonly<Record<ServerErrorCode | TesseraErrorCode, Entry>> = {
  // input and accounts
  invalid_request: { status: 400, wire: "invalid_request", message: "The request is malformed." },
  invalid_input: { status: 400, wire: "invalid_input", message: "The input is invalid." },
  weak_password: {
    status: 400,
    wire: "weak_password",
    message: "The password must be 8–256 characters, not only spaces, and not the e-mail address.",
  },
  email_taken: { status: 409, wire: "email_taken", message: "An account with this e-mail already exists." },
  registration_closed: { status: 403, wire: "registration_closed", message: "Registration is closed." },
  invalid_credentials: { status: 401, wire: "invalid_credentials", message: "Invalid e-mail or password." },
  not_found: { status: 404, wire: "not_found", message: "Not found." },
  account_disabled: { status: 403, wire: "account_disabled", message: "The account is disabled." },
  invalid_ticket: {
    status: 401,
    wire: "invalid_ticket",
    message: "The login ticket is unknown, used or expired.",
  },
  // account recovery and e-mail
  invalid_token: { status: 400, wire: "invalid_token", message: "The link is invalid or has expired." },
  email_unverified: {
    status: 403,
    wire: "email_unverified",
    message: "The e-mail address has not been verified yet.",
  },
  // refresh tokens and sessions
  refresh_invalid: {
    status: 401,
    wire: "refresh_invalid",
    message: "The refresh token is missing or invalid.",
  },
  refresh_expired: { status: 401, wire: "refresh_expired", message: "The refresh token has expired." },
  refresh_reused: {
    status: 401,
    wire: "refresh_reused",
    message: "The refresh token was already used; the session has been revoked.",
  },
  session_revoked: { status: 401, wire: "session_revoked", message: "The session has been revoked." },
  session_expired: { status: 401, wire: "session_expired", message: "The session has expired." },
  context_mismatch: {
    status: 401,
    wire: "context_mismatch",
    message: "The refresh came from a different client context; the session has been revoked.",
  },
  // RFC 6749 §5.2 / §6: a refresh asking for more than its session's scope
  invalid_scope: {
    status: 400,
    wire: "invalid_scope",
    message: "The requested scope exceeds the scope of the session.",
  },
  // access tokens
  token_missing: { status: 401, wire: "token_missing", message: "An access token is required." },
  token_invalid: { status: 401, wire: "token_invalid", message: "The access token is invalid." },
  token_expired: { status: 401, wire: "token_expired", message: "The access token has expired." },
  token_revoked: { status: 401, wire: "token_revoked", message: "The access token has been revoked." },
  // server sessions' guards
  session_required: { status: 401, wire: "session_required", message: "A signed-in session is required." },
  insufficient_scope: {
    status: 403,
    wire: "insufficient_scope",
    message: "The session's user lacks the role or permission required.",
  },
  // cross-site request forgery and abuse
  csrf_failed: { status: 403, wire: "csrf_failed", message: "The CSRF token is missing or wrong." },
  // core's refresh({ csrfToken }) mismatch: the same answer as the server's own CSRF check
  csrf_invalid: { status: 403, wire: "csrf_failed", message: "The CSRF token is missing or wrong." },
  origin_not_allowed: {
    status: 403,
    wire: "origin_not_allowed",
    message: "The request origin is not allowed.",
  },
  rate_limited: { status: 429, wire: "rate_limited", message: "Too many requests; retry later." },
  // transport
  payload_too_large: { status: 413, wire: "payload_too_large", message: "The request body is too large." },
  unsupported_media_type: {
    status: 415,
    wire: "unsupported_media_type",
    message: "The content type is not supported here.",
  },
  method_not_allowed: { status: 405, wire: "method_not_allowed", message: "Method not allowed." },
  // OAuth 2.0
  invalid_client: { status: 401, wire: "invalid_client", message: "Client authentication failed." },
  invalid_grant: {
    status: 400,
    wire: "invalid_grant",
    message: "The refresh token is invalid, expired or revoked.",
  },
  unsupported_grant_type: {
    status: 400,
    wire: "unsupported_grant_type",
    message: "Only grant_type=refresh_token is supported.",
  },
  // DPoP (RFC 9449 §5, §7.1, §8, §9)
  invalid_dpop_proof: { status: 400, wire: "invalid_dpop_proof", message: "The DPoP proof is invalid." },
  use_dpop_nonce: { status: 400, wire: "use_dpop_nonce", message: "A DPoP nonce is required." },
  dpop_proof_rejected: { status: 401, wire: "invalid_dpop_proof", message: "The DPoP proof is invalid." },
  dpop_nonce_required: { status: 401, wire: "use_dpop_nonce", message: "A DPoP nonce is required." },
  // core's revokeToken of a bound token without a proof of its key (RFC 9449 §5 style)
  dpop_key_required: { status: 400, wire: "invalid_dpop_proof", message: "The DPoP proof is invalid." },
  // the server itself
  server_error: { status: 500, wire: "server_error", message: "Internal server error." },
  key_unavailable: { status: 500, wire: "server_error", message: "Internal server error." },
  master_key_mismatch: { status: 500, wire: "server_error", message: "Internal server error." },
  // the embedder's claims hook misbehaved (a registered name, or a token over 8 KiB)
  claims_rejected: { status: 500, wire: "server_error", message: "Internal server error." },
  key_ring_changed: { status: 500, wire: "server_error", message: "Internal server error." },
  store_unavailable: { status: 503, wire: "store_unavailable", message: "The data store is unavailable." },
  // `tessera serve` is stopping: retry on another instance
  shutting_down: { status: 503, wire: "shutting_down", message: "The server is shutting down." },
};
