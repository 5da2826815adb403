import { type Algorithm, DEFAULT_ALGORITHMS, isAlgorithm, isSymmetric, sameAlgorithm } from "./algorithms.js";
import { type CryptoBackend, loadBackend } from "./backend.js";
import { BASE_REQUIRED_CLAIMS, type ClaimRules, checkClaims } from "./claims.js";
import { DPOP_ALGORITHMS, type DpopSettings, dpopProofChecker } from "./dpop-proof.js";
import { memoryReplayCache } from "./dpop-replay.js";
import { VerifyError } from "./errors.js";
import { credentials } from "./http-auth.js";
import { parseJsonObject } from "./json.js";
import { checkJwk } from "./jwk.js";
import { RemoteKeySet } from "./jwks.js";
import {
  checkJoseHeader,
  checkSignature,
  type HeaderCache,
  type KeyResolver,
  parseCompactJws,
} from "./jws.js";
import { importKeys } from "./key-set.js";
import type {
  AccessClaims,
  JsonWebKeyInput,
  RequestCredentials,
  Verifier,
  VerifierOptions,
} from "./types.js";

const DEFAULT_CLOCK_TOLERANCE_S = 5;
const MAX_CLOCK_TOLERANCE_S = 300;
const MAX_CACHED_HEADERS = 32;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const DEFAULT_DPOP_MAX_AGE_S = 60;

function configError(message: string): TypeError {
  return new TypeError(`createVerifier: ${message}`);
}

function checkedUrl(value: string | URL, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${what} is not a URL`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw configError(`${what} must use https (http only on loopback)`);
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw configError(`${what} must be > 0`);
  return value;
}

/** Typ values of an RFC 9068 access token (RFC 7515 §4.1.9: media types are case-insensitive). */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase();
  return t === "at+jwt" || t === "application/at+jwt";
}

type KeySource =
  | { kind: "local"; keys: readonly JsonWebKeyInput[] }
  | { kind: "remote"; uri: URL; fetch: typeof globalThis.fetch };

/** Validate options once, at creation; every mistake is a thrown `TypeError`. */
function resolveOptions(options: VerifierOptions) {
  if (typeof options !== "object" || options === null) throw configError("options are required");
  const { issuer, audience } = options;
  if (typeof issuer !== "string" || issuer.length === 0) throw configError("issuer is required");
  const audiences = typeof audience === "string" ? [audience] : audience;
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    audiences.some((a) => typeof a !== "string" || !a)
  ) {
    throw configError("audience is required (a non-empty string or list of strings)");
  }

  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw configError("algorithms must be a non-empty list");
  for (const alg of algorithms)
    if (!isAlgorithm(alg)) throw configError(`unsupported algorithm ${String(alg)}`);
  const symmetric = algorithms.filter(isSymmetric);

  let source: KeySource;
  if (options.keys !== undefined) {
    if (options.jwksUri !== undefined) throw configError("give either jwksUri or keys, not both");
    const list = Array.isArray(options.keys) ? options.keys : (options.keys as { keys?: unknown }).keys;
    if (!Array.isArray(list) || list.length === 0) throw configError("keys must be a non-empty list of JWKs");
    const kinds = new Set<string>();
    for (const [i, jwk] of list.entries()) {
      const checked = checkJwk(jwk, { allowSymmetric: true });
      if (!checked.ok) throw configError(`key ${i} refused: ${checked.reason}`);
      if (!algorithms.some((alg) => sameAlgorithm(alg, checked.key.alg))) {
        throw configError(`key ${i} is for ${checked.key.alg}, which is not in algorithms`);
      }
      kinds.add(checked.key.jwk.kty === "oct" ? "symmetric" : "asymmetric");
    }
    if (kinds.size > 1) throw configError("keys mix symmetric and asymmetric keys");
    source = { kind: "local", keys: list as readonly JsonWebKeyInput[] };
  } else {
    if (symmetric.length > 0)
      throw configError(`${symmetric.join(", ")} needs local keys; a JWKS never carries secrets`);
    const uri = options.jwksUri ?? `${issuer.replace(/\/+$/, "")}/.well-known/jwks.json`;
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== "function") throw configError("no fetch available; pass options.fetch");
    source = { kind: "remote", uri: checkedUrl(uri, "jwksUri"), fetch: fetchFn };
  }

  const tolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_S;
  if (typeof tolerance !== "number" || !(tolerance >= 0 && tolerance <= MAX_CLOCK_TOLERANCE_S)) {
    throw configError(`clockTolerance must be between 0 and ${MAX_CLOCK_TOLERANCE_S} seconds`);
  }
  const maxTokenAge =
    options.maxTokenAge === undefined ? undefined : positive(options.maxTokenAge, 0, "maxTokenAge");
  const extra = options.requiredClaims ?? [];
  if (!Array.isArray(extra) || extra.some((c) => typeof c !== "string" || !c)) {
    throw configError("requiredClaims must be a list of claim names");
  }
  const revocation = options.revocation;
  if (revocation !== undefined && typeof revocation?.isRevoked !== "function") {
    throw configError("revocation must have an isRevoked(claims) method");
  }
  const clock = options.clock ?? { now: () => Date.now() };
  if (typeof clock.now !== "function") throw configError("clock must have now()");
  const dpop = resolveDpop(options.dpop);

  const rules: ClaimRules = {
    issuer,
    audiences: new Set(audiences),
    required: [...new Set<string>([...BASE_REQUIRED_CLAIMS, ...extra])],
    clockTolerance: tolerance,
    maxTokenAge,
  };
  return {
    rules,
    algorithms: new Set<string>(algorithms),
    source,
    revocation,
    clock,
    dpop,
    jwks: {
      timeoutMs: positive(options.jwksTimeoutMs, 5000, "jwksTimeoutMs"),
      cooldownMs: positive(options.jwksCooldownMs, 30_000, "jwksCooldownMs"),
      maxAgeMs: positive(options.jwksMaxAgeMs, 600_000, "jwksMaxAgeMs"),
    },
  };
}

function resolveDpop(options: VerifierOptions["dpop"]): DpopSettings {
  const dpop = options ?? {};
  if (typeof dpop !== "object" || dpop === null) throw configError("dpop must be an object");
  const maxAge = dpop.maxAge ?? DEFAULT_DPOP_MAX_AGE_S;
  if (typeof maxAge !== "number" || !(maxAge > 0 && maxAge <= MAX_CLOCK_TOLERANCE_S)) {
    throw configError(`dpop.maxAge must be between 0 and ${MAX_CLOCK_TOLERANCE_S} seconds`);
  }
  const algorithms = dpop.algorithms ?? DPOP_ALGORITHMS;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    algorithms.some((a) => !DPOP_ALGORITHMS.includes(a))
  ) {
    throw configError(`dpop.algorithms must be a non-empty subset of ${DPOP_ALGORITHMS.join(", ")}`);
  }
  const replay = dpop.replay ?? memoryReplayCache();
  if (typeof replay?.remember !== "function") throw configError("dpop.replay must have a remember() method");
  return { maxAge, algorithms: new Set(algorithms), replay };
}

/**
 * Create a verifier for Tessera access tokens. Options are validated here and mistakes throw a
 * `TypeError` (no issuer or audience, HS256 without a local secret, a weak or mismatched key,
 * http JWKS off loopback, …). No network happens until the first `verify`.
 *
 * Checks, in order: compact format (size, 3 segments, canonical base64url, UTF-8, JSON objects
 * without duplicate members), header (`alg` in the allow-list, no embedded keys/URLs/`crit`/
 * `zip`/JWE members, `typ` = `at+jwt`), key by `kid` with the algorithm pinned to the key,
 * signature, claim types and presence, `iss`, `aud`, `exp`, `nbf`, `iat`, `maxTokenAge`, then
 * revocation. A DPoP-bound token (`cnf.jkt`) passes only through `verifyRequest` with a valid
 * proof of its key (RFC 9449); `verify` alone refuses it (`dpop_required`).
 *
 * @example
 * const verifier = createVerifier({ issuer: "https://auth.example.com", audience: "orders-api" });
 * const claims = await verifier.verify(token); // rejects with VerifyError { code }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveOptions(options);
  const { rules, algorithms, revocation, clock } = config;

  // Tokens of one issuer share a handful of header segments; parse and check each once.
  const headerCache: HeaderCache = new Map();
  let ready: Promise<{ backend: CryptoBackend; resolveKey: KeyResolver }> | undefined;
  let state: { backend: CryptoBackend; resolveKey: KeyResolver } | undefined;

  async function setUp(): Promise<{ backend: CryptoBackend; resolveKey: KeyResolver }> {
    const backend = await loadBackend();
    const source = config.source;
    if (source.kind === "local") {
      const { keys } = await importKeys(source.keys, backend, { allowSymmetric: true, strict: true });
      return { backend, resolveKey: (kid, alg) => keys.find(kid, alg) };
    }
    const remote = new RemoteKeySet({
      uri: source.uri,
      backend,
      fetch: source.fetch,
      clock,
      ...config.jwks,
      ...(options.onJwksEvent ? { onEvent: options.onJwksEvent } : {}),
    });
    return { backend, resolveKey: (kid, alg) => remote.resolve(kid, alg) };
  }

  async function verifyToken(token: string | null | undefined): Promise<AccessClaims> {
    if (!state) {
      ready ??= setUp();
      state = await ready;
    }
    const { backend, resolveKey } = state;
    const parsed = parseCompactJws(token, backend, headerCache);
    let known = parsed.cached;
    if (known === undefined) {
      const { alg, kid } = checkJoseHeader(parsed.header, algorithms);
      if (!isAccessTokenType(parsed.header.typ)) throw new VerifyError("type_invalid");
      // A nested JWT (RFC 7519 §5.2) is not an access token.
      if (parsed.header.cty !== undefined) throw new VerifyError("token_malformed");
      known = { header: parsed.header, alg, kid };
    }
    const { alg, kid } = known;
    if (parsed.payload.length === 0) throw new VerifyError("token_malformed");

    let key = resolveKey(kid, alg);
    if (key instanceof Promise) key = await key;
    if (!key) throw new VerifyError("key_not_found");
    const checked = checkSignature(backend, key, alg as Algorithm, parsed);
    if (checked) await checked;

    const text = backend.utf8(parsed.payload);
    const payload = text === null ? null : parseJsonObject(text);
    if (payload === null) throw new VerifyError("token_malformed");
    const claims = checkClaims(payload, rules, clock.now() / 1000);

    if (revocation) {
      let revoked = revocation.isRevoked(claims);
      if (typeof revoked !== "boolean") revoked = await revoked;
      if (revoked) throw new VerifyError("token_revoked");
    }
    if (parsed.cached === undefined && headerCache.size < MAX_CACHED_HEADERS) {
      headerCache.set(parsed.headerSegment, known);
    }
    return claims;
  }

  async function verify(token: string | null | undefined): Promise<AccessClaims> {
    const claims = await verifyToken(token);
    if (claims.cnf?.jkt !== undefined) throw new VerifyError("dpop_required");
    return claims;
  }

  let checkProof: ReturnType<typeof dpopProofChecker> | undefined;

  async function verifyRequest(request: RequestCredentials): Promise<AccessClaims> {
    const presented = credentials(request.authorization);
    if (presented === undefined) throw new VerifyError("token_missing");
    const claims = await verifyToken(presented.token);
    const jkt = claims.cnf?.jkt;
    if (presented.scheme === "bearer") {
      if (jkt !== undefined) throw new VerifyError("dpop_required");
      return claims;
    }
    if (jkt === undefined) throw new VerifyError("dpop_unbound");
    // The URL must come from configuration (a middleware's `baseUrl`), never from the Host header.
    if (request.url === undefined) throw new VerifyError("dpop_not_configured");
    checkProof ??= dpopProofChecker((state as { backend: CryptoBackend }).backend, config.dpop);
    await checkProof({
      header: request.dpop,
      method: request.method,
      url: request.url,
      accessToken: presented.token,
      jkt,
      now: clock.now(),
    });
    return claims;
  }

  return {
    verify,
    verifyRequest,
    close: () => revocation?.close?.(),
  };
}
