/**
 * Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding). Lenient decoders accept
 * padding, `+` and `/`, whitespace and non-zero unused bits in the last character; each makes
 * one token have many spellings, so all of them are refused here before any decoder runs.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** char code → 6-bit value, or -1. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/**
 * Whether `text` is canonical unpadded base64url: only `A–Z a–z 0–9 - _`, a length that is
 * not 1 mod 4, and zero bits in the unused low bits of the last character.
 *
 * @example
 * isCanonicalBase64url("QQ"); // true  ("A")
 * isCanonicalBase64url("QR"); // false (same byte, non-zero unused bits)
 */
export function isCanonicalBase64url(text: string): boolean {
  const n = text.length;
  const rest = n & 3;
  if (rest === 1) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || VALUE[c] === -1) return false;
  }
  if (rest === 0 || n === 0) return true;
  const last = VALUE[text.charCodeAt(n - 1)] as number;
  // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decode canonical base64url without `Buffer` or `atob` (for runtimes other than Node).
 * Returns `null` for anything {@link isCanonicalBase64url} refuses.
 *
 * @example
 * decodeBase64url("SGk"); // Uint8Array [72, 105]
 */
export function decodeBase64url(text: string): Uint8Array | null {
  if (!isCanonicalBase64url(text)) return null;
  const out = new Uint8Array((text.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    acc = (acc << 6) | (VALUE[text.charCodeAt(i)] as number);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
