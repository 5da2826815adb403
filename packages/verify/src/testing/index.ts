import {
  createHmac,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from "node:crypto";
import { promisify } from "node:util";
import { exportJWK, type JWTHeaderParameters, SignJWT } from "jose";
import type { JsonWebKeyInput } from "../types.js";

/** Algorithms a {@link TestIssuer} can sign with. */
export type TestAlgorithm = "EdDSA" | "ES256" | "RS256" | "HS256";

/** Mints access tokens the way Tessera does, with keys made here; for tests of APIs that verify. */
export interface TestIssuer {
  readonly alg: TestAlgorithm;
  readonly kid: string;
  readonly issuer: string;
  readonly audience: string;
  /** The verification JWK (`kid`, `alg`, `use: "sig"`); for HS256 the secret itself. */
  readonly jwk: JsonWebKeyInput;
  /** `{ keys: [jwk] }`, what a JWKS endpoint serves (never for HS256). */
  readonly jwks: { keys: JsonWebKeyInput[] };
  /** The signing key (private key, or HMAC secret). */
  readonly signingKey: KeyObject;
  /**
   * A token signed by plain `jose` (`SignJWT`): default claims, overridden by `claims` (an
   * `undefined` value removes the claim), header `{alg, typ: "at+jwt", kid}` merged with `header`.
   */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Sign exact header and payload JSON texts (for malformed-token tests: duplicate members, …). */
  signRaw(headerJson: string, payloadJson: string): string;
  /** Sign an exact signing input `<b64 header>.<b64 payload>`. */
  signInput(signingInput: string): string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

// Asynchronous generation on purpose: on Node 20, a key from `generateKeyPairSync` exported as a
// JWK soon after can deadlock the process (a GC during the export destroys the generator's job,
// which waits for the lock the export holds). Seen in CI; see the package README.
async function generate(alg: TestAlgorithm): Promise<KeyObject> {
  switch (alg) {
    case "EdDSA":
      return (await generateKeyPairAsync("ed25519")).privateKey;
    case "ES256":
      return (await generateKeyPairAsync("ec", { namedCurve: "P-256" })).privateKey;
    case "RS256":
      return (await generateKeyPairAsync("rsa", { modulusLength: 2048 })).privateKey;
    case "HS256":
      throw new Error("unreachable");
  }
}

/**
 * Create a throwaway issuer. Times come from `now` (ms), so tests can pin them.
 *
 * @example
 * const issuer = await createTestIssuer({ alg: "ES256" });
 * const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience, keys: issuer.jwks.keys });
 * await verifier.verify(await issuer.token({ scope: "orders:read" }));
 */
export async function createTestIssuer(
  options: { alg?: TestAlgorithm; kid?: string; issuer?: string; audience?: string; now?: () => number } = {},
): Promise<TestIssuer> {
  const alg = options.alg ?? "EdDSA";
  const kid = options.kid ?? `test-${randomUUID().slice(0, 8)}`;
  const issuer = options.issuer ?? "https://auth.test.example";
  const audience = options.audience ?? "test-api";
  const now = options.now ?? Date.now;

  let signingKey: KeyObject;
  let jwk: JsonWebKeyInput;
  if (alg === "HS256") {
    const secret = randomBytes(32);
    signingKey = createSecretKey(secret);
    jwk = { kty: "oct", k: secret.toString("base64url"), kid, alg, use: "sig" };
  } else {
    signingKey = await generate(alg);
    jwk = { ...(await exportJWK(createPublicKey(signingKey))), kid, alg, use: "sig" } as JsonWebKeyInput;
  }

  const signInput = (input: string): string => {
    const data = Buffer.from(input, "latin1");
    let signature: Buffer;
    if (alg === "HS256") signature = createHmac("sha256", signingKey).update(data).digest();
    else if (alg === "EdDSA") signature = sign(null, data, signingKey);
    else if (alg === "ES256")
      signature = sign("sha256", data, { key: signingKey, dsaEncoding: "ieee-p1363" });
    else signature = sign("sha256", data, signingKey);
    return `${input}.${signature.toString("base64url")}`;
  };

  return {
    alg,
    kid,
    issuer,
    audience,
    jwk,
    jwks: { keys: [jwk] },
    signingKey,
    async token(claims = {}, header = {}) {
      const iat = Math.floor(now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        sub: "user_1",
        aud: audience,
        client_id: "tessera",
        iat,
        exp: iat + 900,
        jti: randomUUID(),
        sid: "sess_1",
        epoch: 0,
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      const protectedHeader = { alg, typ: "at+jwt", kid, ...header } as JWTHeaderParameters;
      for (const [name, value] of Object.entries(protectedHeader)) {
        if (value === undefined) delete (protectedHeader as Record<string, unknown>)[name];
      }
      return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(signingKey);
    },
    signRaw(headerJson, payloadJson) {
      const enc = (text: string) => Buffer.from(text, "utf8").toString("base64url");
      return signInput(`${enc(headerJson)}.${enc(payloadJson)}`);
    },
    signInput,
  };
}

export { createTestDpopKey, dpopRequests, type TestDpopKey } from "./dpop.js";
