import { TesseraError } from "../errors.js";

const MAX_LENGTH = 254;
// Whitespace, C0/C1 controls, and the Unicode format characters (zero-width joiners, bidi marks)
// that let two addresses look alike.
const FORBIDDEN = /[\s\p{Cc}\p{Cf}]/u;

/**
 * Normalise an e-mail address (trim, Unicode NFC, lower-case) and check its shape: at most 254
 * characters, exactly one `@` with something on both sides, no whitespace or control characters.
 * Throws `invalid_input` otherwise. Deliverability is not checked here.
 *
 * @example
 * normaliseEmail("  Ada@Example.COM "); // "ada@example.com"
 */
export function normaliseEmail(input: unknown): string {
  if (typeof input !== "string") throw new TesseraError("invalid_input", "email must be a string");
  const email = input.trim().normalize("NFC").toLowerCase();
  const at = email.indexOf("@");
  if (
    email.length === 0 ||
    email.length > MAX_LENGTH ||
    at <= 0 ||
    at === email.length - 1 ||
    email.indexOf("@", at + 1) !== -1 ||
    FORBIDDEN.test(email)
  ) {
    throw new TesseraError("invalid_input", "email is not a valid address");
  }
  return email;
}
