import { type Algorithm, sameAlgorithm } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import { VerifyError } from "./errors.js";
import { parseJsonObject } from "./json.js";

/** Tokens longer than this are refused before any decoding (RFC 8725bis: bound the work). */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_KID_LENGTH = 256;

/**
 * Header members a JWS access token must not carry. Keys and key URLs in the header are never
 * used (RFC 8725bis §3.10: attacker input, SSRF); `crit` names extensions this verifier does not
 * implement (RFC 7515 §4.1.11 says refuse), `b64` changes what is signed (RFC 7797); `zip`,
 * `enc`, `epk`, `p2c`, `p2s` belong to JWE (§3.4: tell JWS and JWE apart; §3.13/3.14).
 */
const FORBIDDEN_HEADER_MEMBERS = [
  "crit",
  "jwk",
  "jku",
  "x5u",
  "x5c",
  "b64",
  "zip",
  "enc",
  "epk",
  "p2c",
  "p2s",
];

/** A compact JWS split and decoded, before any key is involved. */
export interface ParsedJws {
  header: Record<string, unknown>;
  /** The first two segments joined by `.`, exactly as received (what the signature covers). */
  signingInput: string;
  headerSegment: string;
  /** The payload's bytes, decoded but not yet interpreted (callers parse it after the signature). */
  payload: Uint8Array;
  signature: Uint8Array;
  /** The header cache's entry for `headerSegment`, when there was one. */
  cached: CachedHeader | undefined;
}

const malformed = (): VerifyError => new VerifyError("token_malformed");
/** The shape of Tessera's opaque refresh tokens: `tsr_<id>.<secret>`. */
const REFRESH_TOKEN = /^tsr_[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,128}$/;

/** What a verifier remembers of a header segment it has seen on a valid token. */
export interface CachedHeader {
  header: Record<string, unknown>;
  alg: Algorithm;
  kid: string | undefined;
}

/** Checked headers of tokens that verified, keyed by their exact header segment. */
export type HeaderCache = Map<string, CachedHeader>;

/**
 * Split a compact JWS strictly (RFC 7515 §7.1, RFC 8725bis §3.15): a string of at most 8 KiB,
 * exactly three segments (a JWE's five, and the JSON serialization, are refused), each canonical
 * base64url, a non-empty header and signature, a header that is valid UTF-8 and a JSON object
 * without duplicate members. `headerCache` skips re-parsing a header segment already seen on a
 * valid token (the caller fills it only after full verification).
 *
 * @example
 * const parsed = parseCompactJws(token, backend);
 */
export function parseCompactJws(
  token: unknown,
  backend: CryptoBackend,
  headerCache?: HeaderCache,
): ParsedJws {
  if (token === undefined || token === null || token === "") throw new VerifyError("token_missing");
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) throw malformed();
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (first < 1 || second === -1 || second === token.length - 1 || token.includes(".", second + 1)) {
    // A Tessera refresh token is opaque, not a JWS, but it is the wrong kind of token rather than a
    // broken one: name it so ("a refresh token … is type_invalid").
    throw REFRESH_TOKEN.test(token) ? new VerifyError("type_invalid") : malformed();
  }
  const headerSegment = token.slice(0, first);
  // A segment in the cache was decoded and checked on a token that verified.
  const cached = headerCache?.get(headerSegment);
  let header = cached?.header;
  if (header === undefined) {
    const headerBytes = backend.decode(headerSegment);
    const headerText = headerBytes === null ? null : backend.utf8(headerBytes);
    const parsed = headerText === null ? null : parseJsonObject(headerText);
    if (parsed === null) throw malformed();
    header = parsed;
  }
  // Each segment decodes only from its one canonical spelling (see CryptoBackend.decode).
  const payload = backend.decode(token.slice(first + 1, second));
  const signature = backend.decode(token.slice(second + 1));
  if (payload === null || signature === null) throw malformed();
  return { header, signingInput: token.slice(0, second), headerSegment, payload, signature, cached };
}

/**
 * Check the JOSE header: `alg` must be a string in the allow-list (exact match, so every
 * casing of `none` fails), no forbidden members, `kid` a short string when present. The
 * algorithm is only ever compared, never used to pick how to verify: the key decides that.
 *
 * @example
 * const { alg, kid } = checkJoseHeader(parsed.header, new Set(["EdDSA"]));
 */
export function checkJoseHeader(
  header: Record<string, unknown>,
  algorithms: ReadonlySet<string>,
): { alg: Algorithm; kid: string | undefined } {
  const { alg, kid } = header;
  if (typeof alg !== "string") throw malformed();
  if (!algorithms.has(alg)) throw new VerifyError("alg_not_allowed");
  for (const name of FORBIDDEN_HEADER_MEMBERS) {
    if (Object.hasOwn(header, name)) throw malformed();
  }
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw malformed();
  }
  return { alg: alg as Algorithm, kid };
}

/**
 * Verify the signature with `key`, pinning the algorithm to the key: a header `alg` that
 * differs from the key's own algorithm is refused before any cryptography (no HS256-with-a-
 * public-key confusion, no RS/PS swap).
 *
 * @example
 * await checkSignature(backend, key, "EdDSA", parsed);
 */
export function checkSignature(
  backend: CryptoBackend,
  key: ImportedKey,
  alg: Algorithm,
  parsed: ParsedJws,
): void | Promise<void> {
  if (!sameAlgorithm(key.alg, alg)) throw new VerifyError("alg_not_allowed");
  const ok = backend.verify(key, parsed.signingInput, parsed.signature);
  if (ok === true) return;
  if (ok === false) throw new VerifyError("signature_invalid");
  return ok.then((valid) => {
    if (!valid) throw new VerifyError("signature_invalid");
  });
}

/** Finds the key for a header; may fetch (a JWKS refresh on an unknown `kid`). */
export type KeyResolver = (
  kid: string | undefined,
  alg: Algorithm,
) => ImportedKey | undefined | Promise<ImportedKey | undefined>;

/**
 * Verify a compact JWS (any payload) — the signature and key path the access-token verifier
 * runs, exposed for JOSE-level test vectors. Resolves to the decoded payload bytes.
 *
 * @example
 * const payload = await verifyCompactJws(jws, { backend, algorithms: new Set(["ES256"]), resolveKey });
 */
export async function verifyCompactJws(
  token: unknown,
  options: { backend: CryptoBackend; algorithms: ReadonlySet<string>; resolveKey: KeyResolver },
): Promise<Uint8Array> {
  const parsed = parseCompactJws(token, options.backend);
  const { alg, kid } = checkJoseHeader(parsed.header, options.algorithms);
  const key = await options.resolveKey(kid, alg);
  if (!key) throw new VerifyError("key_not_found");
  await checkSignature(options.backend, key, alg, parsed);
  return parsed.payload;
}
