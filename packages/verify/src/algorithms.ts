/**
 * The JWS algorithms the verifier can check. Tessera issues EdDSA (Ed25519), ES256, RS256 and
 * HS256; the other JWA signature algorithms are here so keys and tokens from other issuers (and
 * the Wycheproof vectors) verify too. Which ones a verifier accepts is its `algorithms` list.
 */
export type Algorithm =
  | "EdDSA"
  /** RFC 9864's fully specified name of EdDSA over Ed25519: the same algorithm as `EdDSA` here. */
  | "Ed25519"
  | "ES256"
  | "ES384"
  | "ES512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "HS256"
  | "HS384"
  | "HS512";

export type Hash = "sha256" | "sha384" | "sha512";

/** What an algorithm needs from its key and its signature. */
export type AlgorithmSpec =
  | { kind: "eddsa"; kty: "OKP"; crv: "Ed25519"; signatureLength: 64 }
  | { kind: "ecdsa"; kty: "EC"; crv: "P-256" | "P-384" | "P-521"; hash: Hash; signatureLength: number }
  | { kind: "rsa-pkcs1" | "rsa-pss"; kty: "RSA"; hash: Hash }
  | { kind: "hmac"; kty: "oct"; hash: Hash; signatureLength: number };

export const ALGORITHMS: Readonly<Record<Algorithm, AlgorithmSpec>> = {
  EdDSA: { kind: "eddsa", kty: "OKP", crv: "Ed25519", signatureLength: 64 },
  Ed25519: { kind: "eddsa", kty: "OKP", crv: "Ed25519", signatureLength: 64 },
  ES256: { kind: "ecdsa", kty: "EC", crv: "P-256", hash: "sha256", signatureLength: 64 },
  ES384: { kind: "ecdsa", kty: "EC", crv: "P-384", hash: "sha384", signatureLength: 96 },
  ES512: { kind: "ecdsa", kty: "EC", crv: "P-521", hash: "sha512", signatureLength: 132 },
  RS256: { kind: "rsa-pkcs1", kty: "RSA", hash: "sha256" },
  RS384: { kind: "rsa-pkcs1", kty: "RSA", hash: "sha384" },
  RS512: { kind: "rsa-pkcs1", kty: "RSA", hash: "sha512" },
  PS256: { kind: "rsa-pss", kty: "RSA", hash: "sha256" },
  PS384: { kind: "rsa-pss", kty: "RSA", hash: "sha384" },
  PS512: { kind: "rsa-pss", kty: "RSA", hash: "sha512" },
  HS256: { kind: "hmac", kty: "oct", hash: "sha256", signatureLength: 32 },
  HS384: { kind: "hmac", kty: "oct", hash: "sha384", signatureLength: 48 },
  HS512: { kind: "hmac", kty: "oct", hash: "sha512", signatureLength: 64 },
};

/** The default allow-list: Tessera's asymmetric algorithms. Symmetric ones are opt-in only. */
export const DEFAULT_ALGORITHMS: readonly Algorithm[] = ["EdDSA", "Ed25519", "ES256", "RS256"];

/**
 * Whether two names denote one algorithm: equal, or `EdDSA` and `Ed25519` (this verifier knows
 * EdDSA only over Ed25519, so the two names sign and verify exactly alike). A key labelled with
 * one verifies tokens labelled with the other; no other pair is interchangeable.
 *
 * @example
 * sameAlgorithm("EdDSA", "Ed25519"); // true
 * sameAlgorithm("RS256", "PS256");   // false
 */
export function sameAlgorithm(a: string, b: string): boolean {
  return a === b || (ED25519_NAMES.has(a) && ED25519_NAMES.has(b));
}

const ED25519_NAMES: ReadonlySet<string> = new Set(["EdDSA", "Ed25519"]);

/**
 * Whether `value` names a supported algorithm. Exact, case-sensitive match (RFC 7515 §4.1.1):
 * `"none"`, `"NONE"` and `"hs256"` are all unknown.
 *
 * @example
 * isAlgorithm("ES256"); // true
 * isAlgorithm("none");  // false
 */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === "string" && Object.hasOwn(ALGORITHMS, value);
}

/**
 * Whether the algorithm is a MAC (shared secret) rather than a signature.
 *
 * @example
 * isSymmetric("HS256"); // true
 */
export function isSymmetric(alg: Algorithm): boolean {
  return ALGORITHMS[alg].kind === "hmac";
}
