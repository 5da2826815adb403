// DPoP proofs made with plain `jose` (never the project's own helper), for tests of every package
// that checks proofs. Not part of the package build; type-checked with the tests.
import { createHash, randomUUID } from "node:crypto";
import {
  base64url,
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from "jose";

export interface ProofKey {
  /** `Ed25519` is RFC 9864's fully specified name of `EdDSA` over Ed25519 (same keys, same signatures). */
  alg: "ES256" | "EdDSA" | "Ed25519" | "RS256" | "PS256";
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  jkt: string;
}

/** A fresh proof key pair. */
export async function proofKey(alg: ProofKey["alg"] = "ES256"): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    alg,
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk, "sha256"),
  };
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** Seconds; default now (`nowMs`, else the wall clock). */
  iat?: number;
  nowMs?: number;
  jti?: string;
  /** The access token whose hash becomes `ath`. */
  accessToken?: string;
  /** An `ath` to put in as is (wins over `accessToken`). */
  ath?: string;
  nonce?: string;
  /** Header members to add or replace (e.g. `typ`, `jwk`). */
  header?: Record<string, unknown>;
  /** Claims to drop. */
  omit?: string[];
}

/** base64url(SHA-256(token)) computed independently of the code under test. */
export function athOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

function claimsOf(options: ProofOptions): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    jti: options.jti ?? randomUUID(),
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? Math.floor((options.nowMs ?? Date.now()) / 1000),
  };
  if (options.ath !== undefined) claims.ath = options.ath;
  else if (options.accessToken !== undefined) claims.ath = athOf(options.accessToken);
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  for (const name of options.omit ?? []) delete claims[name];
  return claims;
}

/** A DPoP proof signed by `key`, as RFC 9449 §4.2 describes it (unless the options break it). */
export async function makeProof(key: ProofKey, options: ProofOptions): Promise<string> {
  return new SignJWT(claimsOf(options))
    .setProtectedHeader({ alg: key.alg, typ: "dpop+jwt", jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}

/** A proof MACed with HS256 (a symmetric "proof", which must be refused). */
export async function hs256Proof(key: ProofKey, options: ProofOptions): Promise<string> {
  return new SignJWT(claimsOf(options))
    .setProtectedHeader({ alg: "HS256", typ: "dpop+jwt", jwk: key.publicJwk })
    .sign(new Uint8Array(32).fill(1));
}

/** An `alg: none` proof (with a dummy signature segment so it is not refused just for its shape). */
export function noneProof(key: ProofKey, options: ProofOptions): string {
  const enc = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${enc({ alg: "none", typ: "dpop+jwt", jwk: key.publicJwk })}.${enc(claimsOf(options))}.AAAA`;
}
