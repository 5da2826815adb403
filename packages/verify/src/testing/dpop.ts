import { createHash, generateKeyPair, type KeyObject, randomUUID, sign } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { RequestCredentials } from "../types.js";

/** A DPoP key for tests and benchmarks: signs proofs synchronously with `node:crypto`. */
export interface TestDpopKey {
  readonly alg: "ES256" | "EdDSA";
  /** RFC 7638 thumbprint: put it in a token as `cnf: { jkt }`. */
  readonly jkt: string;
  readonly publicJwk: JWK;
  /** One proof (RFC 9449 §4.2); `accessToken` adds `ath`. Defaults: fresh `jti`, `iat` now. */
  proof(options: {
    method: string;
    url: string;
    accessToken?: string;
    iat?: number;
    jti?: string;
    nonce?: string;
  }): string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/**
 * A fresh proof key (ES256 by default).
 *
 * @example
 * const key = await createTestDpopKey();
 * const token = await issuer.token({ cnf: { jkt: key.jkt } });
 * const dpop = key.proof({ method: "GET", url: "https://api.test/orders", accessToken: token });
 */
export async function createTestDpopKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<TestDpopKey> {
  // Not generateKeyPairSync: see generate() in ./index.ts (a Node 20 deadlock on JWK export).
  const { privateKey, publicKey } =
    alg === "ES256"
      ? await generateKeyPairAsync("ec", { namedCurve: "P-256" })
      : await generateKeyPairAsync("ed25519");
  const publicJwk = publicKey.export({ format: "jwk" }) as JWK;
  const jkt = await calculateJwkThumbprint(publicJwk, "sha256");
  const header = b64json({ typ: "dpop+jwt", alg, jwk: publicJwk });
  const signer: KeyObject = privateKey;
  return {
    alg,
    jkt,
    publicJwk,
    proof(options) {
      const claims: Record<string, unknown> = {
        jti: options.jti ?? randomUUID(),
        htm: options.method,
        htu: options.url,
        iat: options.iat ?? Math.floor(Date.now() / 1000),
      };
      if (options.accessToken !== undefined) {
        claims.ath = createHash("sha256").update(options.accessToken).digest("base64url");
      }
      if (options.nonce !== undefined) claims.nonce = options.nonce;
      const input = `${header}.${b64json(claims)}`;
      const signature =
        alg === "ES256"
          ? sign("sha256", Buffer.from(input), { key: signer, dsaEncoding: "ieee-p1363" })
          : sign(null, Buffer.from(input), signer);
      return `${input}.${signature.toString("base64url")}`;
    },
  };
}

/**
 * `count` ready-made requests for `verifier.verifyRequest`, each with its own fresh proof of
 * `key` for `token` — what a benchmark of DPoP-bound verification feeds its loop (proof making
 * stays out of the timing; every proof is used once, so the replay cache does its real work).
 *
 * @example
 * const requests = dpopRequests(key, { token, method: "GET", url, count: 20_000 });
 * let i = 0;
 * const verifyOne = () => verifier.verifyRequest(requests[i++ % requests.length]!);
 */
export function dpopRequests(
  key: TestDpopKey,
  options: { token: string; method: string; url: string; count: number },
): RequestCredentials[] {
  const out: RequestCredentials[] = [];
  for (let i = 0; i < options.count; i++) {
    out.push({
      method: options.method,
      url: options.url,
      authorization: `DPoP ${options.token}`,
      dpop: key.proof({ method: options.method, url: options.url, accessToken: options.token }),
    });
  }
  return out;
}
