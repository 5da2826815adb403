import { ALGORITHMS, type Algorithm, isAlgorithm } from "./algorithms.js";
import { decodeBase64url } from "./base64url.js";
import { hasRocaFingerprint } from "./roca.js";

/** The members of a JWK that a verification key needs (never private members). */
export interface PublicJwkMembers {
  kty: "OKP" | "EC" | "RSA" | "oct";
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  /** Only for `oct` keys configured locally. */
  k?: string;
}

/** A JWK that passed {@link checkJwk}: bound to exactly one algorithm. */
export interface CheckedJwk {
  kid: string | undefined;
  alg: Algorithm;
  jwk: PublicJwkMembers;
}

export type JwkCheck = { ok: true; key: CheckedJwk } | { ok: false; reason: string };

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"] as const;
const COORDINATE_BYTES: Record<string, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };
const CURVE_ALG: Record<string, Algorithm> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;
const MAX_KID_LENGTH = 256;

const fail = (reason: string): JwkCheck => ({ ok: false, reason });

function bytes(value: unknown): Uint8Array | null {
  return typeof value === "string" ? decodeBase64url(value) : null;
}

function toBigInt(data: Uint8Array): bigint {
  let hex = "";
  for (const b of data) hex += b.toString(16).padStart(2, "0");
  return hex === "" ? 0n : BigInt(`0x${hex}`);
}

function checkRsa(n: Uint8Array | null, e: Uint8Array | null): string | null {
  if (!n || !e || n.length === 0 || e.length === 0) return "RSA key needs n and e";
  if (n[0] === 0 || e[0] === 0) return "RSA n and e must be minimal big-endian integers";
  const bits = (n.length - 1) * 8 + (32 - Math.clz32(n[0] as number));
  if (bits < MIN_RSA_BITS) return `RSA modulus below ${MIN_RSA_BITS} bits`;
  if (bits > MAX_RSA_BITS) return `RSA modulus above ${MAX_RSA_BITS} bits`;
  if (((n[n.length - 1] as number) & 1) === 0) return "RSA modulus is even";
  const exponent = toBigInt(e);
  if (e.length > 8 || exponent < 3n || (exponent & 1n) === 0n)
    return "RSA exponent must be odd and at least 3";
  if (hasRocaFingerprint(toBigInt(n))) return "RSA modulus has the ROCA fingerprint (CVE-2017-15361)";
  return null;
}

/**
 * Check a JWK before it may verify anything, following RFC 7517/7518, RFC 8725bis §3.1
 * ("each key MUST be used with exactly one algorithm") and the Wycheproof JWK vectors.
 * Refused: `use` other than `sig`; `key_ops` without `verify` or with non-signature
 * operations; private members on asymmetric keys; unknown `kty`/`crv`; an `alg` that does
 * not fit the key (ES256 on P-384, HS256 on an EC key, A256GCM, …); RSA keys under 2048 bits,
 * with an exponent below 3 or even, or with the ROCA fingerprint; wrong coordinate sizes; and
 * HMAC secrets shorter than the hash (or any `oct` key unless `allowSymmetric`). When `alg` is
 * absent it is implied only where the key allows one algorithm (Ed25519 → EdDSA, P-256 → ES256,
 * …); RSA and `oct` keys must name theirs.
 *
 * @example
 * const r = checkJwk({ kty: "OKP", crv: "Ed25519", x: "…", kid: "k1" }, { allowSymmetric: false });
 * if (r.ok) r.key.alg; // "EdDSA"
 */
export function checkJwk(input: unknown, options: { allowSymmetric: boolean }): JwkCheck {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return fail("not an object");
  const jwk = input as Record<string, unknown>;
  const { kty, kid, use, alg } = jwk;
  if (kty !== "OKP" && kty !== "EC" && kty !== "RSA" && kty !== "oct") return fail("unsupported kty");
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    return fail("kid must be a non-empty string");
  }
  if (use !== undefined && use !== "sig") return fail("use is not sig");
  const ops = jwk.key_ops;
  if (ops !== undefined) {
    if (!Array.isArray(ops) || !ops.includes("verify")) return fail("key_ops does not allow verify");
    if (ops.some((op) => op !== "verify" && op !== "sign")) return fail("key_ops mixes other operations");
  }
  if (alg !== undefined && !isAlgorithm(alg)) return fail("unsupported alg");

  if (kty === "oct") {
    if (!options.allowSymmetric) return fail("symmetric keys are only accepted from local configuration");
    if (alg === undefined) return fail("oct key must name its alg");
    const spec = ALGORITHMS[alg];
    if (spec.kind !== "hmac") return fail("alg does not fit kty");
    const k = bytes(jwk.k);
    if (!k) return fail("oct key needs k");
    if (k.length < spec.signatureLength) return fail("HMAC key shorter than the hash output");
    return { ok: true, key: { kid, alg, jwk: { kty, k: jwk.k as string } } };
  }

  for (const member of PRIVATE_MEMBERS) {
    if (jwk[member] !== undefined) return fail("private key members present");
  }

  if (kty === "OKP") {
    if (jwk.crv !== "Ed25519") return fail("unsupported OKP curve");
    const chosen = alg ?? "EdDSA";
    if (chosen !== "EdDSA" && chosen !== "Ed25519") return fail("alg does not fit the key");
    if (bytes(jwk.x)?.length !== 32) return fail("Ed25519 x must be 32 bytes");
    return { ok: true, key: { kid, alg: chosen, jwk: { kty, crv: "Ed25519", x: jwk.x as string } } };
  }

  if (kty === "EC") {
    const crv = jwk.crv;
    if (typeof crv !== "string" || !Object.hasOwn(COORDINATE_BYTES, crv)) return fail("unsupported EC curve");
    const chosen = alg ?? (CURVE_ALG[crv] as Algorithm);
    const spec = ALGORITHMS[chosen];
    if (spec.kind !== "ecdsa" || spec.crv !== crv) return fail("alg does not fit the curve");
    const size = COORDINATE_BYTES[crv];
    if (bytes(jwk.x)?.length !== size || bytes(jwk.y)?.length !== size)
      return fail("EC coordinates have the wrong size");
    return {
      ok: true,
      key: { kid, alg: chosen, jwk: { kty, crv, x: jwk.x as string, y: jwk.y as string } },
    };
  }

  // RSA
  if (alg === undefined) return fail("RSA key must name its alg");
  const kind = ALGORITHMS[alg].kind;
  if (kind !== "rsa-pkcs1" && kind !== "rsa-pss") return fail("alg does not fit kty");
  const problem = checkRsa(bytes(jwk.n), bytes(jwk.e));
  if (problem) return fail(problem);
  return { ok: true, key: { kid, alg, jwk: { kty, n: jwk.n as string, e: jwk.e as string } } };
}
