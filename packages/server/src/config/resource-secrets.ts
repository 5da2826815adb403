import { commaList } from "./comma-list.js";

/** The strength every resource-server secret must have; stated in the README and the error line. */
export const SECRET_RULE =
  "secret of at least 32 characters, at least 10 of them distinct, and ~96 bits by character frequency (e.g. openssl rand -base64 32)";

const MIN_LENGTH = 32;
const MIN_DISTINCT = 10;
const MIN_BITS = 96;

/**
 * Whether a shared secret is strong enough to stand alone behind HTTP Basic: at least 32
 * characters, at least 10 distinct ones, and at least 96 bits when each character is scored by how
 * often it occurs in the secret (length × the Shannon entropy of its character frequencies). A
 * random 32-character hex or base64 secret passes (a hex one fails about once in 5,000 draws:
 * draw again); `aaaa…`, `passwordpassword…` and a short secret do not.
 *
 * @example
 * isStrongSecret("0123456789abcdef0123"); // false (20 characters)
 * isStrongSecret(randomBytes(32).toString("base64url")); // true
 */
export function isStrongSecret(secret: string): boolean {
  const chars = [...secret];
  if (chars.length < MIN_LENGTH) return false;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size < MIN_DISTINCT) return false;
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / chars.length) * Math.log2(n / chars.length);
  return bitsPerChar * chars.length >= MIN_BITS;
}

/**
 * Parses `TESSERA_RESOURCE_SECRETS`: a comma list of `id:secret`, each id of `[A-Za-z0-9._-]`
 * and each secret {@link isStrongSecret}. `undefined` when any entry is not.
 *
 * @example
 * parseResourceSecrets(`orders:${randomBytes(32).toString("base64url")}`);
 */
export function parseResourceSecrets(text: string): Array<{ id: string; secret: string }> | undefined {
  const entries = commaList(text).map((entry) => {
    const colon = entry.indexOf(":");
    return { id: entry.slice(0, colon), secret: entry.slice(colon + 1), colon };
  });
  const ok = entries.every(
    (e) => e.colon > 0 && /^[A-Za-z0-9._-]{1,64}$/.test(e.id) && isStrongSecret(e.secret),
  );
  return ok ? entries.map(({ id, secret }) => ({ id, secret })) : undefined;
}
