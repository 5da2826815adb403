import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hs256Proof,
  makeProof,
  noneProof,
  type ProofKey,
  type ProofOptions,
  proofKey,
} from "../../core/src/test-support/dpop-proofs.js";
import { memoryReplayCache } from "./dpop-replay.js";
import { outcome } from "./test-support/outcome.js";
import { createTestIssuer, type TestIssuer } from "./testing/index.js";
import type { RequestCredentials, Verifier, VerifierOptions } from "./types.js";
import { createVerifier } from "./verifier.js";

// RFC 9449 §7 at a resource server, with proofs made by plain `jose`.

const T0 = Date.parse("2026-04-01T08:00:00Z");
const URL_ = "https://api.example.com/orders";
const clock = { now: () => T0 };
let issuer: TestIssuer;
let verifier: Verifier;
let key: ProofKey;
let other: ProofKey;
let bound: string;
let plain: string;

function make(options: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    keys: issuer.jwks.keys,
    clock,
    ...options,
  });
}

beforeAll(async () => {
  issuer = await createTestIssuer({ alg: "EdDSA", now: () => T0 });
  [key, other] = await Promise.all([proofKey("ES256"), proofKey("ES256")]);
  verifier = make();
  bound = await issuer.token({ cnf: { jkt: key.jkt } });
  plain = await issuer.token();
});

const proofOf = (extra: Partial<ProofOptions> = {}, k = key) =>
  makeProof(k, { htm: "GET", htu: URL_, nowMs: T0, accessToken: bound, ...extra });

function request(
  dpop: string | string[] | undefined,
  overrides: Partial<RequestCredentials> = {},
): RequestCredentials {
  return { method: "GET", url: URL_, authorization: `DPoP ${bound}`, dpop, ...overrides };
}

describe("verifier.verifyRequest with DPoP", () => {
  it.each(["ES256", "EdDSA", "RS256", "PS256"] as const)(
    "accepts a bound token with a valid %s proof",
    async (alg) => {
      const k = await proofKey(alg);
      const token = await issuer.token({ cnf: { jkt: k.jkt } });
      const proof = await makeProof(k, { htm: "GET", htu: URL_, nowMs: T0, accessToken: token });
      const claims = await verifier.verifyRequest(request(proof, { authorization: `DPoP ${token}` }));
      expect(claims.cnf).toEqual({ jkt: k.jkt });
    },
  );

  it("refuses a bound token as Bearer or through verify(), and an unbound one under DPoP", async () => {
    expect(
      await outcome(verifier.verifyRequest(request(await proofOf(), { authorization: `Bearer ${bound}` }))),
    ).toBe("dpop_required");
    expect(await outcome(verifier.verify(bound))).toBe("dpop_required");
    const unbound = await proofOf({ accessToken: plain });
    expect(await outcome(verifier.verifyRequest(request(unbound, { authorization: `DPoP ${plain}` })))).toBe(
      "dpop_unbound",
    );
    // The plain Bearer path is unchanged.
    expect((await verifier.verifyRequest(request(undefined, { authorization: `Bearer ${plain}` }))).sub).toBe(
      "user_1",
    );
    expect(await outcome(verifier.verifyRequest(request(undefined, { authorization: undefined })))).toBe(
      "token_missing",
    );
  });

  it("refuses every broken proof with dpop_proof_invalid naming the failed check", async () => {
    const s = Math.floor(T0 / 1000);
    const cases: Array<[RequestCredentials, string]> = [
      [request(undefined), "header"],
      [request([await proofOf(), await proofOf()]), "header"],
      [request(await proofOf({ header: { typ: "JWT" } })), "typ"],
      [request(noneProof(key, { htm: "GET", htu: URL_, nowMs: T0, accessToken: bound })), "alg"],
      [request(await hs256Proof(key, { htm: "GET", htu: URL_, nowMs: T0, accessToken: bound })), "alg"],
      [request(await proofOf({ header: { jwk: key.privateJwk } })), "jwk"],
      [request(await proofOf({ header: { jwk: other.publicJwk } })), "signature"],
      [request(await proofOf({ omit: ["jti"] })), "jti"],
      [request(await proofOf({ htm: "POST" })), "htm"],
      [request(await proofOf({ htu: "https://api.example.com/other" })), "htu"],
      [request(await proofOf({ htu: "https://evil.example.com/orders" })), "htu"],
      [request(await proofOf({ iat: s - 61 })), "iat"],
      [request(await proofOf({ iat: s + 61 })), "iat"],
      [request(await proofOf({ accessToken: plain })), "ath"],
      [request(await makeProof(key, { htm: "GET", htu: URL_, nowMs: T0 })), "ath"],
      [request(await proofOf({}, other)), "cnf"],
    ];
    for (const [input, check] of cases) {
      expect(await outcome(verifier.verifyRequest(input))).toBe(`dpop_proof_invalid:${check}`);
    }
    // No URL (no configured origin): the proof cannot be checked at all.
    const noUrl = { method: "GET", authorization: `DPoP ${bound}`, dpop: await proofOf() };
    expect(await outcome(verifier.verifyRequest(noUrl))).toBe("dpop_not_configured");
  });

  it("normalises htu and ignores the query", async () => {
    const proof = await proofOf({ htu: "HTTPS://API.example.com:443/orders?page=2" });
    expect(await outcome(verifier.verifyRequest(request(proof, { url: `${URL_}?x=1` })))).toBe("ok");
  });

  it("refuses a replayed proof; a shared replay cache carries that across verifiers", async () => {
    const proof = await proofOf();
    expect(await outcome(verifier.verifyRequest(request(proof)))).toBe("ok");
    expect(await outcome(verifier.verifyRequest(request(proof)))).toBe("dpop_proof_invalid:jti");

    const shared = memoryReplayCache();
    const a = make({ dpop: { replay: shared } });
    const b = make({ dpop: { replay: shared } });
    const once = await proofOf({ jti: randomUUID() });
    expect(await outcome(a.verifyRequest(request(once)))).toBe("ok");
    expect(await outcome(b.verifyRequest(request(once)))).toBe("dpop_proof_invalid:jti");
    // Separate default caches are per verifier (per process), as documented.
    expect(await outcome(make().verifyRequest(request(once)))).toBe("ok");
  });

  it("honours dpop.maxAge and dpop.algorithms, and validates them at creation", async () => {
    const strict = make({ dpop: { maxAge: 5, algorithms: ["EdDSA"] } });
    expect(await outcome(strict.verifyRequest(request(await proofOf())))).toBe("dpop_proof_invalid:alg");
    const ed = await proofKey("EdDSA");
    const token = await issuer.token({ cnf: { jkt: ed.jkt } });
    const old = await makeProof(ed, {
      htm: "GET",
      htu: URL_,
      iat: Math.floor(T0 / 1000) - 10,
      accessToken: token,
    });
    expect(await outcome(strict.verifyRequest(request(old, { authorization: `DPoP ${token}` })))).toBe(
      "dpop_proof_invalid:iat",
    );
    for (const dpop of [
      { maxAge: 0 },
      { maxAge: 301 },
      { algorithms: ["HS256"] },
      { algorithms: [] },
      { replay: {} },
    ]) {
      expect(() => make({ dpop } as Partial<VerifierOptions>)).toThrow(TypeError);
    }
  });
});

describe("memoryReplayCache", () => {
  it("remembers until expiry and evicts the oldest when full", () => {
    const cache = memoryReplayCache(2);
    expect(cache.remember("a", 100, 0)).toBe(true);
    expect(cache.remember("a", 100, 50)).toBe(false);
    expect(cache.remember("a", 300, 100)).toBe(true);
    expect(cache.remember("b", 300, 100)).toBe(true);
    expect(cache.remember("c", 300, 100)).toBe(true); // evicts "a"
    expect(cache.remember("b", 300, 150)).toBe(false);
    expect(cache.remember("a", 300, 150)).toBe(true);
    expect(() => memoryReplayCache(0)).toThrow(TypeError);
  });
});

describe("testing helpers for DPoP (used by the benchmark)", () => {
  it("dpopRequests yields requests that verify once each", async () => {
    const { createTestDpopKey, dpopRequests } = await import("./testing/index.js");
    const k = await createTestDpopKey("EdDSA");
    const now = await createTestIssuer({ alg: "EdDSA" }); // wall-clock times, like the proofs
    const token = await now.token({ cnf: { jkt: k.jkt } });
    const live = createVerifier({ issuer: now.issuer, audience: now.audience, keys: now.jwks.keys });
    const requests = dpopRequests(k, { token, method: "GET", url: URL_, count: 3 });
    for (const r of requests) expect((await live.verifyRequest(r)).cnf).toEqual({ jkt: k.jkt });
    expect(await outcome(live.verifyRequest(requests[0] as RequestCredentials))).toBe(
      "dpop_proof_invalid:jti",
    );
  });
});
