import { TesseraClientError } from "@tessera/client";

const FRIENDLY: Record<string, string> = {
  invalid_credentials: "Wrong email or password.",
  email_taken: "An account with this email already exists. Log in instead.",
  weak_password: "That password is too weak: use at least 8 characters, not your email.",
  invalid_input: "Please enter a valid email address and password.",
  registration_closed: "Registration is closed on this server.",
  rate_limited: "Too many attempts. Please wait a moment.",
  network_error: "The server could not be reached.",
  not_authenticated: "You are not logged in.",
  refresh_reused: "This session was revoked because an old refresh token was used again.",
  session_revoked: "This session was revoked (logged out elsewhere).",
  session_expired: "This session reached its maximum age.",
  refresh_expired: "This session was idle for too long.",
  refresh_invalid: "This session is no longer valid.",
  csrf_failed: "The request was refused (CSRF check).",
  origin_not_allowed: "This page's origin is not allowed by the auth server.",
  invalid_token: "This link is invalid, already used or expired. Ask for a new one.",
  missing_token: "This page needs the link from your mail.",
  email_unverified: "Please confirm your e-mail address first: open the link we mailed you.",
};

/**
 * The stable error code of anything the SDK or the page threw.
 *
 * @example
 * errorCode(new TesseraClientError("invalid_credentials", 401)); // "invalid_credentials"
 */
export function errorCode(error: unknown): string {
  if (error instanceof TesseraClientError) return error.code;
  if (error instanceof DOMException && error.name === "AbortError") return "aborted";
  return "unexpected_error";
}

/**
 * A sentence for the user, ending with the code so support requests can quote it.
 *
 * @example
 * describeError(new TesseraClientError("rate_limited", 429, { retryAfter: 30 }));
 * // "Too many attempts. Please wait a moment. Try again in 30 s. (rate_limited)"
 */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  const base = FRIENDLY[code] ?? "Something went wrong.";
  const wait =
    error instanceof TesseraClientError && error.retryAfter !== undefined
      ? ` Try again in ${error.retryAfter} s.`
      : "";
  return `${base}${wait} (${code})`;
}
