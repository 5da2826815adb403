import { calculateJwkThumbprint } from "jose";
import { type Algorithm, sameAlgorithm } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import { normaliseHtu } from "./dpop-htu.js";
import type { DpopReplayCache } from "./dpop-replay.js";
import { VerifyError } from "./errors.js";
import { parseJsonObject } from "./json.js";
import { checkJwk } from "./jwk.js";
import { parseCompactJws } from "./jws.js";

/** Proof algorithms accepted by default: asymmetric only (RFC 9449 §4.3 step 5). */
export const DPOP_ALGORITHMS: readonly Algorithm[] = ["ES256", "EdDSA", "Ed25519", "RS256", "PS256"];

const MAX_JTI_LENGTH = 256;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/** Header members a proof must not carry: keys by reference, unknown extensions, JWE members. */
const FORBIDDEN_HEADER_MEMBERS = ["crit", "jku", "x5u", "x5c", "b64", "zip", "enc", "epk", "p2c", "p2s"];
const MAX_CACHED_KEYS = 64;

/** What a proof is checked against. */
export interface DpopProofContext {
  /** Every value of the `DPoP` request header. */
  header: string | readonly string[] | null | undefined;
  method: string;
  url: string | URL;
  /** The access token presented with it (its hash must be `ath`). */
  accessToken: string;
  /** The thumbprint the token is bound to (`cnf.jkt`). */
  jkt: string;
  now: number;
}

/** Settings of the proof checker (from `createVerifier({ dpop })`). */
export interface DpopSettings {
  algorithms: ReadonlySet<string>;
  /** Seconds `iat` may be from now, either way. */
  maxAge: number;
  replay: DpopReplayCache;
}

const refuse = (check: string): VerifyError => new VerifyError("dpop_proof_invalid", check);

function isText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max;
}

async function sha256Base64url(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A DPoP proof checker over the verifier's crypto backend. Checks RFC 9449 §4.3 in order: one
 * `DPoP` header with one compact JWS; `typ` `dpop+jwt`; `alg` in the asymmetric allow-list; a
 * public `jwk` (private members refused) fitting the `alg` and verifying the signature; `jti`,
 * `htm`, `htu`, `iat` present; `htm` and normalised `htu` match; `iat` within `maxAge`; `ath`
 * is the token's hash; the key's RFC 7638 thumbprint is the token's `cnf.jkt`; and last, the
 * `jti` has not been seen. Refusals are `VerifyError("dpop_proof_invalid", <check>)`.
 *
 * @example
 * const check = dpopProofChecker(backend, settings);
 * await check({ header, method: "GET", url, accessToken, jkt: claims.cnf.jkt, now: Date.now() });
 */
export function dpopProofChecker(
  backend: CryptoBackend,
  settings: DpopSettings,
): (context: DpopProofContext) => Promise<void> {
  // Clients reuse one key for many proofs: import each key once (keyed by its thumbprint input).
  const keys = new Map<string, { key: ImportedKey; jkt: string }>();

  async function importProofKey(jwk: unknown, alg: Algorithm): Promise<{ key: ImportedKey; jkt: string }> {
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw refuse("jwk");
    const members = jwk as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(members, m))) throw refuse("jwk");
    if (members.alg !== undefined && !sameAlgorithm(String(members.alg), alg)) throw refuse("jwk");
    const checked = checkJwk({ ...members, kid: undefined, alg }, { allowSymmetric: false });
    if (!checked.ok || checked.key.alg !== alg) throw refuse("jwk");
    const cacheKey = `${alg}:${JSON.stringify(checked.key.jwk)}`;
    const cached = keys.get(cacheKey);
    if (cached) return cached;
    let entry: { key: ImportedKey; jkt: string };
    try {
      entry = {
        key: await backend.importKey({ ...checked.key, kid: undefined }),
        jkt: await calculateJwkThumbprint({ ...checked.key.jwk }, "sha256"),
      };
    } catch {
      throw refuse("jwk");
    }
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(cacheKey, entry);
    return entry;
  }

  return async function checkProof(context: DpopProofContext): Promise<void> {
    const values = typeof context.header === "string" ? [context.header] : (context.header ?? []);
    if (values.length !== 1 || (values[0] as string).length === 0) throw refuse("header");
    let parsed: ReturnType<typeof parseCompactJws>;
    try {
      parsed = parseCompactJws((values[0] as string).trim(), backend);
    } catch {
      throw refuse("header");
    }
    const { header } = parsed;
    if (typeof header.typ !== "string" || header.typ.toLowerCase() !== "dpop+jwt") throw refuse("typ");
    const alg = header.alg;
    if (typeof alg !== "string" || !settings.algorithms.has(alg)) throw refuse("alg");
    if (FORBIDDEN_HEADER_MEMBERS.some((m) => Object.hasOwn(header, m))) throw refuse("header");
    const { key, jkt } = await importProofKey(header.jwk, alg as Algorithm);
    let valid = backend.verify(key, parsed.signingInput, parsed.signature);
    if (typeof valid !== "boolean") valid = await valid;
    if (!valid) throw refuse("signature");

    const text = backend.utf8(parsed.payload);
    const claims = text === null ? null : parseJsonObject(text);
    if (claims === null) throw refuse("header");
    const { jti, htm, htu, iat, ath } = claims;
    if (!isText(jti, MAX_JTI_LENGTH)) throw refuse("jti");
    if (htm !== context.method) throw refuse("htm");
    const expected = normaliseHtu(context.url);
    if (!isText(htu, 2048) || expected === null || normaliseHtu(htu) !== expected) throw refuse("htu");
    if (typeof iat !== "number" || !Number.isFinite(iat)) throw refuse("iat");
    if (Math.abs(iat - context.now / 1000) > settings.maxAge) throw refuse("iat");
    if (typeof ath !== "string" || ath !== (await sha256Base64url(context.accessToken))) throw refuse("ath");
    if (jkt !== context.jkt) throw refuse("cnf");

    const expiresAt = Math.max(context.now, iat * 1000) + 2 * settings.maxAge * 1000;
    let fresh = settings.replay.remember(`${jkt}.${jti}`, expiresAt, context.now);
    if (typeof fresh !== "boolean") fresh = await fresh;
    if (!fresh) throw refuse("jti");
  };
}
