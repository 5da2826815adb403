import * as crypto from "node:crypto";
import { createHash, timingSafeEqual } from "node:crypto";
import { randomFromPool } from "../crypto/random-pool.js";

/**
 * Refresh tokens are opaque strings `tsr_<id>.<secret>`: a public lookup id (22 characters: the
 * creation time, then 84 random bits) and a secret (256 random bits), both in base64url
 * characters. The store keeps the id and a SHA-256 of the secret only, so a leaked database yields
 * no usable token; the secret has full entropy, so a fast hash is enough (no password-style
 * stretching needed).
 */

const PREFIX = "tsr_";
const ID_CHARS = 22;
const ID_RANDOM_BYTES = 11;
const SECRET_BYTES = 32;
/** Characters of the id's time prefix, in byte order, so ids sort by creation time. */
const SORTABLE = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TIME_CHARS = 8;
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
export function generateRefreshToken(now: number = Date.now()): RefreshTokenParts {
  // One draw from the CSPRNG for both parts (each call has a fixed cost).
  const bytes = randomFromPool(ID_RANDOM_BYTES + SECRET_BYTES);
  return {
    id:
      timePrefix(now) +
      bytes
        .subarray(0, ID_RANDOM_BYTES)
        .toString("base64url")
        .slice(0, ID_CHARS - TIME_CHARS),
    secret: bytes.subarray(ID_RANDOM_BYTES).toString("base64url"),
  };
}

/**
 * `now` (ms) as 8 base-62 digits. Ids that grow with time land next to each other in the store's
 * primary-key index: a rotation inserts into the index page every other recent insert touched,
 * and finds the token it replaces among recent pages, instead of touching a random page of an
 * index as large as every token ever issued (with 1,000,000 sessions in SQLite: 310 → 292 µs of
 * server CPU per refresh, bench/README.md "Third round").
 */
function timePrefix(now: number): string {
  let rest = Math.max(0, Math.floor(now));
  let out = "";
  for (let i = 0; i < TIME_CHARS; i++) {
    out = (SORTABLE[rest % 62] as string) + out;
    rest = Math.floor(rest / 62);
  }
  return out;
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
 * SHA-256 of a UTF-8 string: the one-shot `crypto.hash` (Node ≥ 20.12 and 21.7; about 0.7 µs
 * against 1.2 µs for `createHash().update().digest()`, which builds a Hash object per call), or
 * `createHash` where it is missing. The same bytes either way.
 */
type OneShotHash = (algorithm: string, data: string, outputEncoding: "buffer") => Buffer;

/**
 * The SHA-256 function over `oneShot` (`crypto.hash`), or over `createHash` when it is undefined.
 *
 * @example
 * sha256Over(undefined)("abc"); // the createHash fallback
 */
export function sha256Over(oneShot: OneShotHash | undefined): (text: string) => Buffer {
  return oneShot === undefined
    ? (text) => createHash("sha256").update(text, "utf8").digest()
    : (text) => oneShot("sha256", text, "buffer");
}

const sha256 = sha256Over((crypto as { hash?: OneShotHash }).hash);

/**
 * base64url SHA-256 of the secret: what the store keeps.
 *
 * @example
 * const secretHash = hashRefreshSecret(parts.secret);
 */
export function hashRefreshSecret(secret: string): string {
  return sha256(secret).toString("base64url");
}

/**
 * Whether `secret` hashes to `storedHash`, compared in constant time.
 *
 * @example
 * if (!refreshSecretMatches(parts.secret, record.secretHash)) throw new TesseraError("refresh_invalid");
 */
export function refreshSecretMatches(secret: string, storedHash: string): boolean {
  const presented = sha256(secret);
  const stored = Buffer.from(storedHash, "base64url");
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
