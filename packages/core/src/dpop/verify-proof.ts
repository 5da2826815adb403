import { createHash } from "node:crypto";
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { DpopError, type DpopFailure } from "./errors.js";
import { normaliseHtu } from "./htu.js";
import type { DpopNonces } from "./nonce.js";
import { type DpopReplayCache, replayKey } from "./replay.js";

/**
 * Asymmetric proof algorithms accepted (RFC 9449 §4.3 step 5): never `none`, never a MAC.
 * `Ed25519` is RFC 9864's fully specified name of `EdDSA` over Ed25519 (what oauth4webapi sends).
 */
export type DpopAlgorithm = "ES256" | "EdDSA" | "Ed25519" | "RS256" | "PS256";

/** The default allow-list, also published as `dpop_signing_alg_values_supported`. */
export const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ["ES256", "EdDSA", "Ed25519", "RS256", "PS256"];

/** The two names of one algorithm: a JWK labelled with either fits a proof labelled with either. */
const ED25519_NAMES: readonly unknown[] = ["EdDSA", "Ed25519"];

/** Default acceptance window of a proof's `iat`, either side of now. */
export const DPOP_WINDOW_MS = 60_000;

const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MIN_RSA_MODULUS_BYTES = 256;

/** What a proof is checked against: the request as the server saw it. */
export interface DpopProofInput {
  /** Every value of the request's `DPoP` header; exactly one is required. */
  header: string | readonly string[] | undefined;
  /** The request method (`htm` must equal it). */
  method: string;
  /** The public URL of the request (`htu` must equal it without query and fragment). */
  url: string;
  /** Now, ms (the injected clock). */
  now: number;
  /** Where proof ids are remembered; shared by every instance. */
  replay: DpopReplayCache;
  /** On resource requests: the access token, whose hash must be the proof's `ath`. */
  accessToken?: string;
  /** The thumbprint the token or session is bound to; the proof's key must have it. */
  expectedJkt?: string;
  /** When given, a valid server nonce is required (`use_dpop_nonce` otherwise). */
  nonces?: DpopNonces;
  /** `iat` may be this far from now either way. Default 60 s. */
  windowMs?: number;
  algorithms?: readonly DpopAlgorithm[];
}

/** A proof that passed every check. */
export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof key (what `cnf.jkt` carries). */
  jkt: string;
  jti: string;
  /** Seconds. */
  iat: number;
}

/**
 * base64url(SHA-256(access token)) — the `ath` claim of RFC 9449 §4.2.
 *
 * @example
 * accessTokenHash("eyJ…"); // "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
 */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken, "ascii").digest("base64url");
}

const refuse = (failure: DpopFailure): DpopError => new DpopError("invalid_dpop_proof", failure);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max;
}

/** The public members the algorithm needs, or a refusal; private members are refused outright. */
function publicJwk(jwk: unknown, alg: DpopAlgorithm): JWK {
  if (!isObject(jwk)) throw refuse("jwk");
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) throw refuse("private_jwk");
  if (jwk.use !== undefined && jwk.use !== "sig") throw refuse("jwk");
  const sameName = jwk.alg === alg || (ED25519_NAMES.includes(alg) && ED25519_NAMES.includes(jwk.alg));
  if (jwk.alg !== undefined && !sameName) throw refuse("jwk");
  const { kty, crv, x, y, n, e } = jwk;
  switch (alg) {
    case "ES256":
      if (kty !== "EC" || crv !== "P-256" || !isText(x, 64) || !isText(y, 64)) throw refuse("jwk");
      return { kty, crv, x, y };
    case "EdDSA":
    case "Ed25519":
      if (kty !== "OKP" || crv !== "Ed25519" || !isText(x, 64)) throw refuse("jwk");
      return { kty, crv, x };
    default:
      if (kty !== "RSA" || !isText(n, 4096) || !isText(e, 16)) throw refuse("jwk");
      if (Buffer.from(n, "base64url").length < MIN_RSA_MODULUS_BYTES) throw refuse("jwk");
      return { kty, n, e };
  }
}

function singleProof(header: DpopProofInput["header"]): string {
  const values = typeof header === "string" ? [header] : (header ?? []);
  if (values.length !== 1) throw refuse("header_count");
  const proof = (values[0] as string).trim();
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT.test(proof)) throw refuse("malformed");
  return proof;
}

/**
 * Check a DPoP proof exactly as RFC 9449 §4.3 lists it: one `DPoP` header holding one compact
 * JWS; `typ` `dpop+jwt`; an asymmetric `alg` from the allow-list; a public `jwk` (private members
 * refused) that verifies the signature; `jti`, `htm`, `htu`, `iat` present; `htm` = the method;
 * `htu` = the request URL (normalised, without query and fragment); the server nonce when one is
 * required; `iat` within the window; `ath` = hash of the access token when one is presented; the
 * key's thumbprint = the bound one. Last, the `jti` is remembered: a second use is refused. Only
 * a proof that passed everything else takes a place in the replay cache.
 *
 * Rejects with {@link DpopError}: `invalid_dpop_proof`, or `use_dpop_nonce` with a fresh nonce.
 *
 * @example
 * const { jkt } = await verifyDpopProof({
 *   header: request.headers.dpop, method: "POST", url: "https://auth.example.com/oauth/token",
 *   now: clock.now(), replay: storeReplayCache(store),
 * });
 */
export async function verifyDpopProof(input: DpopProofInput): Promise<VerifiedDpopProof> {
  const proof = singleProof(input.header);
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    throw refuse("malformed");
  }
  if (typeof header.typ !== "string" || header.typ.toLowerCase() !== "dpop+jwt") throw refuse("typ");
  const allowed = input.algorithms ?? DPOP_ALGORITHMS;
  const alg = header.alg;
  if (typeof alg !== "string" || !(allowed as readonly string[]).includes(alg)) throw refuse("alg");
  const jwk = publicJwk(header.jwk, alg as DpopAlgorithm);

  let payloadBytes: Uint8Array;
  try {
    const key = await importJWK(jwk, alg, { extractable: false });
    ({ payload: payloadBytes } = await compactVerify(proof, key, { algorithms: [alg] }));
  } catch {
    throw refuse("signature");
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes));
  } catch {
    throw refuse("malformed");
  }
  if (!isObject(claims)) throw refuse("malformed");
  const { jti, htm, htu, iat } = claims;
  if (!isText(jti, MAX_JTI_LENGTH) || !isText(htm, 32) || !isText(htu, 2048)) throw refuse("claims");
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw refuse("claims");

  if (htm !== input.method) throw refuse("htm");
  const expectedUrl = normaliseHtu(input.url);
  if (expectedUrl === null || normaliseHtu(htu) !== expectedUrl) throw refuse("htu");

  if (input.nonces && !input.nonces.isValid(claims.nonce)) {
    throw new DpopError("use_dpop_nonce", "nonce", input.nonces.current());
  }
  const windowMs = input.windowMs ?? DPOP_WINDOW_MS;
  if (Math.abs(iat * 1000 - input.now) > windowMs) throw refuse("iat");

  if (input.accessToken !== undefined && claims.ath !== accessTokenHash(input.accessToken)) {
    throw refuse("ath");
  }
  const jkt = await calculateJwkThumbprint(jwk, "sha256");
  if (input.expectedJkt !== undefined && jkt !== input.expectedJkt) throw refuse("key_mismatch");

  // Kept until the proof could not pass the iat check anyway, with room for clock skew between nodes.
  const expiresAt = Math.max(input.now, iat * 1000) + 2 * windowMs;
  if (!(await input.replay.remember(replayKey(jkt, jti), expiresAt, input.now))) throw refuse("replay");
  return { jkt, jti, iat };
}
