import type { Algorithm } from "./algorithms.js";
import type { JwksEvent } from "./jwks.js";

/**
 * The claims of a verified Tessera access token (RFC 9068 profile). Every listed claim has been
 * checked for its JSON type; other claims are passed through untyped.
 */
export interface AccessClaims {
  iss: string;
  sub: string;
  /** One audience or several; one of them is the verifier's. */
  aud: string | string[];
  client_id: string;
  /** Seconds since the epoch. */
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
  jti: string;
  /** The session (refresh-token family) the token belongs to. */
  sid: string;
  /** The user's token epoch when the token was issued (revocation counter). */
  epoch?: number;
  /** Seconds since the epoch. */
  nbf?: number;
  /** Space-separated scopes (RFC 8693 §4.2): the permissions granted. */
  scope?: string;
  /** The user's roles at issue (RFC 9068 §2.2.3.1). */
  roles?: string[];
  /** Confirmation (e.g. a DPoP key thumbprint, RFC 9449). */
  cnf?: { jkt?: string; [member: string]: unknown };
  [claim: string]: unknown;
}

/** A source of the current time in milliseconds (inject one in tests). */
export interface VerifierClock {
  now(): number;
}

/**
 * Tells whether verified claims belong to a revoked session or user epoch. Called once per
 * verification after every other check passed; keep it in memory (no network per call).
 */
export interface RevocationSource {
  isRevoked(claims: AccessClaims): boolean | Promise<boolean>;
  /** Stop background work (timers, connections). */
  close?(): void;
}

/** A JSON Web Key as configured or published (public members, plus `k` for local HMAC keys). */
export interface JsonWebKeyInput {
  /** Required at runtime; optional in the type so `jose`'s `JWK` objects fit. */
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  k?: string;
  [member: string]: unknown;
}

/** Where a verifier remembers DPoP proof ids; see `memoryReplayCache`. */
export interface DpopReplayCacheInput {
  remember(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/** DPoP (RFC 9449) settings of a verifier. */
export interface DpopOptions {
  /** Replay cache for proof ids. Default: in memory, per process (`memoryReplayCache()`). */
  replay?: DpopReplayCacheInput;
  /** Seconds a proof's `iat` may be from now, either way. Default 60, at most 300. */
  maxAge?: number;
  /** Accepted proof algorithms, a subset of `["ES256", "EdDSA", "Ed25519", "RS256", "PS256"]` (the default). */
  algorithms?: readonly Algorithm[];
}

/** What {@link Verifier.verifyRequest} reads from an HTTP request. */
export interface RequestCredentials {
  /** The request method, e.g. `GET` (compared with the proof's `htm`). */
  method: string;
  /**
   * The URL the client addressed: the API's configured public origin + the request path (query
   * ignored). Needed for DPoP; without it a bound token is `dpop_not_configured`. Never build it
   * from the `Host` header: a proof captured for another API behind another Host would pass.
   */
  url?: string | URL;
  /** The `Authorization` header value(s). */
  authorization: string | readonly string[] | null | undefined;
  /** The `DPoP` header value(s). */
  dpop?: string | readonly string[] | null | undefined;
}

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /** Exact `iss` value expected (the auth server's issuer URL). Required. */
  issuer: string;
  /** This API's audience; a token is accepted when its `aud` contains one of these. Required. */
  audience: string | readonly string[];
  /** Where the issuer publishes its JWKS. Default `<issuer>/.well-known/jwks.json`. https, or http on loopback only. */
  jwksUri?: string | URL;
  /** Local keys instead of a JWKS (the only way to configure HS256 secrets). */
  keys?: readonly JsonWebKeyInput[] | { keys: readonly JsonWebKeyInput[] };
  /** Accepted algorithms. Default `["EdDSA", "Ed25519", "ES256", "RS256"]` (`Ed25519` is RFC 9864's name of the same algorithm); HMAC ones only with local keys. */
  algorithms?: readonly Algorithm[];
  /** Seconds of clock skew allowed on `exp`, `nbf`, `iat`. Default 5, at most 300. */
  clockTolerance?: number;
  /** Seconds: refuse tokens whose `iat` is older than this (`token_too_old`). */
  maxTokenAge?: number;
  /** Claims that must be present besides iss, sub, aud, exp, iat, jti, client_id and sid. */
  requiredClaims?: readonly string[];
  /** Rejects tokens of revoked sessions and users (`token_revoked`). */
  revocation?: RevocationSource;
  /** Time source; default `Date.now`. */
  clock?: VerifierClock;
  /** `fetch` used for the JWKS; default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** JWKS request timeout in ms. Default 5000. */
  jwksTimeoutMs?: number;
  /** Minimum ms between JWKS fetches caused by unknown `kid`s. Default 30000. */
  jwksCooldownMs?: number;
  /** After this many ms the JWKS is refreshed in the background. Default 600000. */
  jwksMaxAgeMs?: number;
  /** Told when the JWKS loads (with any refused keys) or a fetch fails; for logs and metrics. */
  onJwksEvent?: (event: JwksEvent) => void;
  /** DPoP proof checking for bound tokens (`cnf.jkt`); on by default with an in-memory replay cache. */
  dpop?: DpopOptions;
}

/** A configured verifier. */
export interface Verifier {
  /**
   * Verify an access token: resolves to its claims or rejects with a `VerifyError`.
   *
   * @example
   * const claims = await verifier.verify(token);
   */
  verify(token: string | null | undefined): Promise<AccessClaims>;
  /**
   * Verify the credentials of an HTTP request: `Authorization: Bearer <token>` for ordinary
   * tokens, `Authorization: DPoP <token>` plus a valid `DPoP` proof (RFC 9449) for DPoP-bound
   * ones. A bound token sent as Bearer is `dpop_required`; a bad or replayed proof
   * `dpop_proof_invalid`. `verify(token)` alone refuses bound tokens (it has no request to check
   * a proof against).
   *
   * @example
   * const claims = await verifier.verifyRequest({
   *   method: req.method, url: "https://api.example.com/orders",
   *   authorization: req.headers.authorization, dpop: req.headers.dpop,
   * });
   */
  verifyRequest(request: RequestCredentials): Promise<AccessClaims>;
  /** Stop the revocation source's background work. */
  close(): void;
}
