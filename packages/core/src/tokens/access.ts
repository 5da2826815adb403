import { createHmac, type KeyObject, sign, timingSafeEqual, verify } from "node:crypto";
import type { AccessTokenClaims, SigningAlg } from "../api.js";
import { TesseraError } from "../errors.js";

/**
 * Access tokens: compact JWS in the RFC 9068 profile (`typ: "at+jwt"`).
 *
 * Signing runs on every login and refresh, so it uses `node:crypto` directly with key objects
 * imported once, and a protected header encoded once per key: the only per-token work is the
 * claims JSON and one signature. (jose is used for JWK export and thumbprints, and in the tests
 * as an independent verifier.)
 */

/** A key ready to sign and verify; made once per key by {@link prepareSigningKey}. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** The private key, or the HMAC secret for HS256. */
  readonly privateKey: KeyObject;
  /** The public key, or the same HMAC secret for HS256. */
  readonly verifyKey: KeyObject;
  /** base64url of `{"alg","typ":"at+jwt","kid"}`, encoded once. */
  readonly encodedHeader: string;
}

/**
 * Wrap a private key (or HMAC secret) for signing and verifying.
 *
 * @example
 * const key = prepareSigningKey("kid-1", "EdDSA", privateKey, publicKey);
 */
export function prepareSigningKey(
  kid: string,
  alg: SigningAlg,
  privateKey: KeyObject,
  verifyKey: KeyObject,
): SigningKey {
  const header = JSON.stringify({ alg, typ: "at+jwt", kid });
  return { kid, alg, privateKey, verifyKey, encodedHeader: Buffer.from(header).toString("base64url") };
}

function signBytes(key: SigningKey, data: Buffer): Buffer {
  switch (key.alg) {
    case "EdDSA":
      return sign(null, data, key.privateKey);
    case "ES256":
      return sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
    case "RS256":
      return sign("sha256", data, key.privateKey);
    case "HS256":
      return createHmac("sha256", key.privateKey).update(data).digest();
  }
}

function verifyBytes(key: SigningKey, data: Buffer, signature: Buffer): boolean {
  switch (key.alg) {
    case "EdDSA":
      return signature.length === 64 && verify(null, data, key.verifyKey, signature);
    case "ES256":
      return (
        signature.length === 64 &&
        verify("sha256", data, { key: key.verifyKey, dsaEncoding: "ieee-p1363" }, signature)
      );
    case "RS256":
      return verify("sha256", data, key.verifyKey, signature);
    case "HS256": {
      const expected = createHmac("sha256", key.verifyKey).update(data).digest();
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    }
  }
}

/**
 * Sign access-token claims with `key`: header `{alg, typ: "at+jwt", kid}`.
 *
 * @example
 * const jwt = signAccessToken(key, { iss, sub, aud, client_id, iat, exp, jti, sid, epoch: 0 });
 */
export function signAccessToken(key: SigningKey, claims: AccessTokenClaims): string {
  const input = `${key.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${input}.${signBytes(key, Buffer.from(input, "latin1")).toString("base64url")}`;
}

/** What a verified token must match. */
export interface AccessTokenExpectations {
  issuer: string;
  /** The token's `aud` must contain at least one of these. */
  audiences: readonly string[];
  /** Milliseconds. */
  now: number;
  /** Check `exp` (false only for RFC 7009 revocation, which accepts expired tokens). Default true. */
  checkExpiry?: boolean;
}

/** Finds a key by `kid`; resolves `undefined` when there is none. */
export type KeyLookup = (kid: string) => Promise<SigningKey | undefined>;

const B64URL = /^[A-Za-z0-9_-]+$/;
/**
 * Whether a segment is the one canonical spelling of its bytes. Node's decoder ignores the unused
 * low bits of the last character (and a length of 1 mod 4), so without this one token would have
 * several spellings that `@tessera/verify` refuses but the server accepted.
 */
const isCanonical = (part: string) => Buffer.from(part, "base64url").toString("base64url") === part;
/** How far in the future an `iat` may be before the token is refused (clock skew between instances). */
const IAT_LEEWAY_S = 60;

function invalid(reason: string): TesseraError {
  return new TesseraError("token_invalid", `access token invalid: ${reason}`);
}

function parseJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/**
 * Verify an access token's signature and claims (not its liveness; see `authenticate`).
 *
 * The algorithm is pinned to the key: the key is found by `kid`, and the header's `alg` must equal
 * that key's algorithm, so a token cannot pick `none`, or HS256 with a public key as the secret.
 * Throws `TesseraError` `token_invalid` or `token_expired`.
 *
 * @example
 * const claims = await verifyAccessToken(jwt, (kid) => ring.find(kid), { issuer, audiences: [aud], now });
 */
export async function verifyAccessToken(
  token: string,
  lookup: KeyLookup,
  expected: AccessTokenExpectations,
): Promise<AccessTokenClaims> {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p) && isCanonical(p))) {
    throw invalid("malformed");
  }
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

  const header = parseJsonObject(encodedHeader);
  if (header === null) throw invalid("malformed header");
  if (header.typ !== "at+jwt" && header.typ !== "application/at+jwt") throw invalid("type");
  if ("crit" in header) throw invalid("unsupported critical header");
  if (!isNonEmptyString(header.kid)) throw invalid("kid missing");
  const key = await lookup(header.kid);
  if (key === undefined) throw invalid("unknown key");
  if (header.alg !== key.alg) throw invalid("algorithm does not match key");
  const data = Buffer.from(`${encodedHeader}.${encodedPayload}`);
  if (!verifyBytes(key, data, Buffer.from(encodedSignature, "base64url"))) throw invalid("signature");

  const payload = parseJsonObject(encodedPayload);
  if (payload === null) throw invalid("malformed payload");
  const { iss, sub, aud, client_id, iat, exp, jti, sid, epoch, scope, roles, cnf } = payload;
  if (iss !== expected.issuer) throw invalid("issuer");
  const audList = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audList.every((a) => typeof a === "string")) throw invalid("audience");
  if (!audList.some((a) => expected.audiences.includes(a as string))) throw invalid("audience");
  if (
    !isNonEmptyString(sub) ||
    !isNonEmptyString(sid) ||
    !isNonEmptyString(jti) ||
    !isNonEmptyString(client_id)
  )
    throw invalid("claim missing");
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) throw invalid("time claims");
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) throw invalid("epoch");
  if (scope !== undefined && typeof scope !== "string") throw invalid("scope");
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === "string"))) {
    throw invalid("roles");
  }
  let jkt: string | undefined;
  if (cnf !== undefined) {
    const bound = typeof cnf === "object" && cnf !== null ? (cnf as Record<string, unknown>).jkt : undefined;
    if (!isNonEmptyString(bound)) throw invalid("cnf");
    jkt = bound;
  }

  const nowS = Math.floor(expected.now / 1000);
  if ((iat as number) > nowS + IAT_LEEWAY_S) throw invalid("issued in the future");
  if (expected.checkExpiry !== false && (exp as number) <= nowS) {
    throw new TesseraError("token_expired", "access token expired");
  }

  const claims: AccessTokenClaims = {
    iss: expected.issuer,
    sub,
    aud: typeof aud === "string" ? aud : (audList as string[]),
    client_id,
    iat: iat as number,
    exp: exp as number,
    jti,
    sid,
    epoch: epoch as number,
  };
  if (scope !== undefined) claims.scope = scope;
  if (roles !== undefined) claims.roles = roles as string[];
  if (jkt !== undefined) claims.cnf = { jkt };
  return claims;
}
