import { beforeAll, describe, expect, it } from "vitest";
import { makeProof, proofKey } from "../../core/src/test-support/dpop-proofs.js";
import { outcome } from "./test-support/outcome.js";
import { createTestIssuer, type TestIssuer } from "./testing/index.js";
import type { Verifier } from "./types.js";
import { createVerifier } from "./verifier.js";

// Issue 14.7: RFC 9864 names Ed25519 signatures `Ed25519` (what oauth4webapi sends in DPoP proofs,
// and what some issuers put on JWKs); `EdDSA` is the older, polymorphic name of the same algorithm
// over this curve. Both names were refused under `Ed25519` before.

const T0 = Date.parse("2026-05-01T08:00:00Z");
const URL_ = "https://api.example.com/orders";
let issuer: TestIssuer;

function verifierFor(keys: unknown[], algorithms?: string[]): Verifier {
  return createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    keys: keys as never,
    clock: { now: () => T0 },
    ...(algorithms ? { algorithms: algorithms as never } : {}),
  });
}

beforeAll(async () => {
  issuer = await createTestIssuer({ alg: "EdDSA", now: () => T0 });
});

describe("Ed25519 under both names", () => {
  it("accepts DPoP proofs labelled Ed25519 and EdDSA by default", async () => {
    const verifier = verifierFor(issuer.jwks.keys);
    for (const alg of ["Ed25519", "EdDSA"] as const) {
      const k = await proofKey(alg);
      const token = await issuer.token({ cnf: { jkt: k.jkt } });
      const proof = await makeProof(k, { htm: "GET", htu: URL_, nowMs: T0, accessToken: token });
      const request = { method: "GET", url: URL_, authorization: `DPoP ${token}`, dpop: proof };
      expect({ alg, result: await outcome(verifier.verifyRequest(request)) }).toEqual({ alg, result: "ok" });
    }
  });

  it("verifies access tokens from a JWK labelled Ed25519, with either header name", async () => {
    const relabelled = { ...issuer.jwk, alg: "Ed25519" };
    const verifier = verifierFor([relabelled]);
    expect(await outcome(verifier.verify(await issuer.token({}, { alg: "Ed25519" })))).toBe("ok");
    expect(await outcome(verifier.verify(await issuer.token()))).toBe("ok");
    // The EdDSA-labelled key accepts an Ed25519-labelled token: one algorithm, two names.
    expect(
      await outcome(verifierFor(issuer.jwks.keys).verify(await issuer.token({}, { alg: "Ed25519" }))),
    ).toBe("ok");
    // An explicit allow-list is still exact about names.
    const onlyEdDSA = verifierFor(issuer.jwks.keys, ["EdDSA"]);
    expect(await outcome(onlyEdDSA.verify(await issuer.token({}, { alg: "Ed25519" })))).toBe(
      "alg_not_allowed",
    );
    // And the name never stretches to another key type.
    const es = await createTestIssuer({ alg: "ES256", now: () => T0 });
    const forged = es.signRaw(
      JSON.stringify({ alg: "Ed25519", typ: "at+jwt", kid: es.kid }),
      JSON.stringify({ iss: issuer.issuer }),
    );
    expect(await outcome(verifierFor(es.jwks.keys).verify(forged))).toBe("alg_not_allowed");
    expect(() => verifierFor([{ ...es.jwk, alg: "Ed25519" }])).toThrow(TypeError);
  });
});
