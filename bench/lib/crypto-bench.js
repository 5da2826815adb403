import { createPublicKey, sign as rawSign, verify as rawVerify } from "node:crypto";
import { generateSigningKey, prepareSigningKey, signAccessToken } from "@tessera/core";
import { createVerifier, hasRoles, hasScopes } from "@tessera/verify";
import { createTestDpopKey, dpopRequests } from "@tessera/verify/testing";
import { createVerifier as createFastJwtVerifier } from "fast-jwt";
import { importJWK, jwtVerify } from "jose";
import { compare } from "./harness.js";

/**
 * verify/s and sign/s, in-process, one thread.
 *
 * Every contender verifies the SAME token: a real Tessera access token signed by core. The limit
 * ("raw") is `node:crypto.verify` of that token's signature over its signing input, both decoded
 * beforehand — what any verifier must at least do. Each library is used the way its documentation
 * shows, with its key imported once and its result cache off (fast-jwt's is off by default):
 * - tessera: `@tessera/verify` `createVerifier({ issuer, audience, keys })`, the full checklist
 *   (typ, alg pinned to the key, exp/nbf/iat with leeway, iss, aud, required claims and types);
 * - jose: `jwtVerify(token, key, { issuer, audience, algorithms, typ })` with a key from `importJWK`;
 * - fast-jwt: `createVerifier({ key: pem, algorithms, allowedIss, allowedAud })`.
 */

const ISSUER = "https://auth.example.com";
const AUDIENCE = "api";
const ALGS = /** @type {const} */ (["EdDSA", "ES256", "RS256"]);

/** @param {number} now seconds */
function claims(now) {
  return {
    iss: ISSUER,
    sub: "0b0c5e1e-2d7a-4c3b-9a55-1f2e3d4c5b6a",
    aud: AUDIENCE,
    client_id: "tessera",
    iat: now,
    exp: now + 900,
    jti: "6f1c0a4e-8b8e-4a43-9c1b-2a1d8b0c7e11",
    sid: "c2f9b7de-5a0e-4f3a-8e7c-0d9a1b2c3d4e",
    epoch: 0,
  };
}

/** @param {"EdDSA" | "ES256" | "RS256"} alg */
async function makeKey(alg) {
  const generated = await generateSigningKey(alg);
  const publicKey = createPublicKey(generated.privateKey);
  const key = prepareSigningKey(generated.kid, alg, generated.privateKey, publicKey);
  const jwk = { ...generated.publicJwk, kid: generated.kid, alg, use: "sig" };
  return { key, jwk, publicKey };
}

/**
 * @param {"EdDSA" | "ES256" | "RS256"} alg
 * @param {import("./harness.js").HarnessOptions} options
 */
async function verifyOne(alg, options) {
  const { key, jwk, publicKey } = await makeKey(alg);
  const token = signAccessToken(key, claims(Math.floor(Date.now() / 1000)));

  const [header, payload, signature] = token.split(".");
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, "base64url");
  const hash = alg === "EdDSA" ? null : "sha256";
  const rawKey = alg === "ES256" ? { key: publicKey, dsaEncoding: "ieee-p1363" } : publicKey;

  const tessera = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: [jwk], algorithms: [alg] });
  const joseKey = await importJWK(jwk, alg);
  const fastJwt = createFastJwtVerifier({
    key: publicKey.export({ format: "pem", type: "spki" }).toString(),
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
  });

  // Every contender must accept the token, or its figure would mean nothing.
  if (!rawVerify(hash, data, rawKey, sig)) throw new Error(`raw ${alg} verify rejected the token`);
  await tessera.verify(token);
  await jwtVerify(token, joseKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], typ: "at+jwt" });
  fastJwt(token);

  return compare(
    {
      tessera: () => tessera.verify(token),
      raw: () => rawVerify(hash, data, rawKey, sig),
      jose: () =>
        jwtVerify(token, joseKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], typ: "at+jwt" }),
      fast_jwt: () => fastJwt(token),
    },
    options,
  );
}

/**
 * verify/s per algorithm for tessera, raw node:crypto, jose and fast-jwt.
 *
 * @example
 * const { eddsa } = await benchVerify({ rounds: 7, sliceMs: 200, warmupMs: 200 });
 *
 * @param {import("./harness.js").HarnessOptions} options
 */
export async function benchVerify(options) {
  /** @type {Record<string, Record<string, number>>} */
  const out = {};
  for (const alg of ALGS) out[alg.toLowerCase()] = await verifyOne(alg, options);
  return out;
}

/**
 * sign/s of an EdDSA access token: core's `signAccessToken` (claims JSON, base64url, signature)
 * vs raw `node:crypto.sign` of an already encoded signing input of the same size.
 *
 * @example
 * const { eddsa } = await benchSign({ rounds: 7, sliceMs: 200, warmupMs: 200 });
 *
 * @param {import("./harness.js").HarnessOptions} options
 */
export async function benchSign(options) {
  const { key } = await makeKey("EdDSA");
  const body = claims(Math.floor(Date.now() / 1000));
  const token = signAccessToken(key, body);
  const input = Buffer.from(token.slice(0, token.lastIndexOf(".")), "latin1");
  return {
    eddsa: await compare(
      {
        tessera: () => signAccessToken(key, body),
        raw: () => rawSign(null, input, key.privateKey),
      },
      options,
    ),
  };
}

/**
 * verify/s of a DPoP-bound access token (RFC 9449 §7: token + a fresh proof with `ath`, `htm`,
 * `htu`, `iat`, the proof's `jti` recorded in the verifier's default in-memory replay cache) beside
 * the plain Bearer verify of the same kind of token, with one verifier. Each DPoP call gets its own
 * proof, made before timing starts (ES256 proof key, EdDSA access token), so only verification is
 * timed; the proof supply is sized from the harness settings with a wide margin.
 *
 * @example
 * const { plain, dpop } = await benchVerifyDpop({ rounds: 7, sliceMs: 200, warmupMs: 200 });
 *
 * @param {import("./harness.js").HarnessOptions} options
 */
export async function benchVerifyDpop(options) {
  const { key, jwk } = await makeKey("EdDSA");
  const proofKey = await createTestDpopKey("ES256");
  const now = Math.floor(Date.now() / 1000);
  const plainToken = signAccessToken(key, claims(now));
  const boundToken = signAccessToken(key, { ...claims(now), cnf: { jkt: proofKey.jkt } });
  const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: [jwk], algorithms: ["EdDSA"] });
  // Up to 40k verifications a second over the whole timed run, warm-up included.
  const budgetMs = options.warmupMs + options.rounds * options.sliceMs;
  const count = Math.ceil((budgetMs / 1000) * 40_000);
  const requests = dpopRequests(proofKey, {
    token: boundToken,
    method: "GET",
    url: "https://api.example.com/orders",
    count,
  });
  let next = 0;
  await verifier.verify(plainToken);
  await verifier.verifyRequest(requests[next++]);
  return compare(
    {
      plain: () => verifier.verify(plainToken),
      dpop: () => {
        const request = requests[next++];
        if (request === undefined)
          throw new Error("the DPoP proof supply ran out; raise the rate in benchVerifyDpop");
        return verifier.verifyRequest(request);
      },
    },
    options,
  );
}

/**
 * verify/s of one access token carrying `roles` and `scope`: the plain verify beside the same
 * verify followed by the check `requireScope("orders:read")` and `requireRole("admin")` make in
 * every middleware (`hasScopes` / `hasRoles` on the verified claims), with one verifier, and the
 * check alone (`check_only`). The target is a cost of at most 3 %.
 *
 * @example
 * const { plain, require_scope } = await benchVerifyScope({ rounds: 7, sliceMs: 200, warmupMs: 200 });
 *
 * @param {import("./harness.js").HarnessOptions} options
 */
export async function benchVerifyScope(options) {
  const { key, jwk } = await makeKey("EdDSA");
  const token = signAccessToken(key, {
    ...claims(Math.floor(Date.now() / 1000)),
    roles: ["admin", "support"],
    scope: "orders:read orders:write users:read",
  });
  const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: [jwk], algorithms: ["EdDSA"] });
  const needScope = ["orders:read"];
  const needRole = ["admin"];
  const checked = async () => {
    const verified = await verifier.verify(token);
    if (!hasScopes(verified, needScope) || !hasRoles(verified, needRole)) throw new Error("refused");
    return verified;
  };
  const verified = await checked();
  // The check alone, on claims already verified: its cost as a share of one verify is robust to
  // load from other processes, which moves the two verify figures by more than the check costs.
  const check = () => hasScopes(verified, needScope) && hasRoles(verified, needRole);
  return compare({ plain: () => verifier.verify(token), require_scope: checked, check_only: check }, options);
}
