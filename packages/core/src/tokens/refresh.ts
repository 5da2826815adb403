import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Refresh tokens are opaque strings `tsr_<id>.<secret>`: a public lookup id (128 random bits) and a
 * secret (256 random bits), both base64url. The store keeps the id and a SHA-256 of the secret
 * only, so a leaked database yields no usable token; the secret has full entropy, so a fast hash
 * is enough (no password-style stretching needed).
 */

const PREFIX = "tsr_";
const ID_BYTES = 16;
const SECRET_BYTES = 32;
const FORMAT = /^tsr_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface RefreshTokenParts {
  id: string;
  secret: string;
}

/**
 * A new refresh token from the CSPRNG.
 *
 * @example
 * const { id, secret } = generateRefreshToken();
 * const token = formatRefreshToken({ id, secret }); // "tsr_….…"
 */
export function generateRefreshToken(): RefreshTokenParts {
  // One draw from the CSPRNG for both parts (each call has a fixed cost).
  const bytes = randomBytes(ID_BYTES + SECRET_BYTES);
  return {
    id: bytes.subarray(0, ID_BYTES).toString("base64url"),
    secret: bytes.subarray(ID_BYTES).toString("base64url"),
  };
}

/**
 * The string handed to the client.
 *
 * @example
 * formatRefreshToken(generateRefreshToken());
 */
export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `${PREFIX}${parts.id}.${parts.secret}`;
}

/**
 * Split a presented token; `null` when it is not exactly the format above (the caller answers
 * `refresh_invalid` without touching the store).
 *
 * @example
 * const parts = parseRefreshToken(cookieValue);
 */
export function parseRefreshToken(token: string): RefreshTokenParts | null {
  const match = FORMAT.exec(token);
  if (match === null) return null;
  return { id: match[1] as string, secret: match[2] as string };
}

/**
 * base64url SHA-256 of the secret: what the store keeps.
 *
 * @example
 * const secretHash = hashRefreshSecret(parts.secret);
 */
export function hashRefreshSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

/**
 * Whether `secret` hashes to `storedHash`, compared in constant time.
 *
 * @example
 * if (!refreshSecretMatches(parts.secret, record.secretHash)) throw new TesseraError("refresh_invalid");
 */
export function refreshSecretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash("sha256").update(secret, "utf8").digest();
  const stored = Buffer.from(storedHash, "base64url");
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
