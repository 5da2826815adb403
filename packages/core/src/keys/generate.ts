import { createPublicKey, createSecretKey, generateKeyPair, type KeyObject, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint, exportJWK, type JWK } from "jose";
import type { SigningAlg } from "../api.js";
import { seal } from "../crypto/seal.js";
import type { SigningKeyRecord, SigningKeyStatus } from "../store.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** A freshly generated signing key, not yet stored. */
export interface GeneratedKey {
  kid: string;
  alg: SigningAlg;
  /** Public members of the JWK (kty, crv, x, y, n, e); `null` for HS256. */
  publicJwk: JWK | null;
  /** The private key, or the HMAC secret for HS256. */
  privateKey: KeyObject;
}

/** The JWK members that are public for each key type; everything else (d, p, q, dp, dq, qi, k) stays out. */
const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e"] as const;

/**
 * Keep only the public members of a JWK.
 *
 * @example
 * publicMembers({ kty: "OKP", crv: "Ed25519", x: "…", d: "…" }); // { kty, crv, x }
 */
export function publicMembers(jwk: JWK): JWK {
  const out: JWK = {};
  for (const name of PUBLIC_MEMBERS) {
    const value = jwk[name];
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

async function generatePair(alg: Exclude<SigningAlg, "HS256">): Promise<KeyObject> {
  switch (alg) {
    case "EdDSA":
      return (await generateKeyPairAsync("ed25519")).privateKey;
    case "ES256":
      return (await generateKeyPairAsync("ec", { namedCurve: "P-256" })).privateKey;
    case "RS256":
      return (await generateKeyPairAsync("rsa", { modulusLength: 2048, publicExponent: 0x10001 })).privateKey;
  }
}

/**
 * Generate a signing key of `alg`: Ed25519 for EdDSA, P-256 for ES256, RSA-2048 for RS256, 256
 * random bits for HS256. Asymmetric keys get their RFC 7638 thumbprint as `kid`; HMAC keys a
 * random one (a thumbprint of a secret would be a hash of the secret).
 *
 * @example
 * const key = await generateSigningKey("EdDSA");
 */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  if (alg === "HS256") {
    return {
      kid: randomBytes(16).toString("base64url"),
      alg,
      publicJwk: null,
      privateKey: createSecretKey(randomBytes(32)),
    };
  }
  const privateKey = await generatePair(alg);
  const publicJwk = publicMembers(await exportJWK(createPublicKey(privateKey)));
  return { kid: await calculateJwkThumbprint(publicJwk, "sha256"), alg, publicJwk, privateKey };
}

/**
 * The bytes that are sealed at rest: PKCS#8 DER for key pairs, the raw secret for HS256.
 *
 * @example
 * const bytes = privateKeyBytes(key.privateKey);
 */
export function privateKeyBytes(privateKey: KeyObject): Buffer {
  return privateKey.type === "secret"
    ? privateKey.export()
    : privateKey.export({ format: "der", type: "pkcs8" });
}

/**
 * Turn a generated key into the record a store keeps: the private part sealed under `sealKey`
 * with the `kid` as additional data (a sealed key moved to another row does not open).
 *
 * @example
 * const record = toKeyRecord(await generateSigningKey("ES256"), sealKey, "next", clock.now());
 */
export function toKeyRecord(
  key: GeneratedKey,
  sealKey: Uint8Array,
  status: SigningKeyStatus,
  now: number,
): SigningKeyRecord {
  return {
    kid: key.kid,
    alg: key.alg,
    status,
    publicJwk: key.publicJwk === null ? null : JSON.stringify(key.publicJwk),
    privateSealed: seal(sealKey, privateKeyBytes(key.privateKey), key.kid),
    createdAt: now,
    activatedAt: status === "active" ? now : null,
    retiredAt: null,
  };
}
