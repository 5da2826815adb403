import { exportJWK, generateKeyPair as joseGenerateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createVerifier, type VerifierOptions, VerifyError, type VerifyErrorCode } from "./index.js";
import { createTestIssuer, type TestAlgorithm } from "./testing/index.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const clockAt = (ms: number) => ({ now: () => ms });

async function code(promise: Promise<unknown>): Promise<VerifyErrorCode | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
}

describe("createVerifier: interop with tokens made by plain jose", () => {
  for (const alg of ["EdDSA", "ES256", "RS256"] as const) {
    it(`verifies a ${alg} key set and token produced by jose alone`, async () => {
      const { publicKey, privateKey } = await joseGenerateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: "jose-1", alg, use: "sig" };
      const now = Math.floor(T0 / 1000);
      const token = await new SignJWT({ client_id: "c1", sid: "s1", epoch: 3, scope: "a b" })
        .setProtectedHeader({ alg, typ: "at+jwt", kid: "jose-1" })
        .setIssuer("https://auth.example.com")
        .setSubject("u1")
        .setAudience(["other", "api"])
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti("j1")
        .sign(privateKey);
      const verifier = createVerifier({
        issuer: "https://auth.example.com",
        audience: "api",
        keys: { keys: [jwk] },
        clock: clockAt(T0),
      });
      const claims = await verifier.verify(token);
      expect(claims).toMatchObject({ sub: "u1", sid: "s1", epoch: 3, scope: "a b", aud: ["other", "api"] });
    });
  }

  it("accepts HS256 only with a locally configured secret listed in algorithms", async () => {
    const issuer = await createTestIssuer({ alg: "HS256", now: () => T0 });
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      keys: [issuer.jwk],
      algorithms: ["HS256"],
      clock: clockAt(T0),
    });
    expect((await verifier.verify(await issuer.token())).sub).toBe("user_1");
    expect(await code(verifier.verify(`${(await issuer.token()).slice(0, -2)}AA`))).toBe("signature_invalid");
  });
});

describe("createVerifier: options are validated at creation", () => {
  const base = { issuer: "https://auth.example.com", audience: "api" } as const;
  const ed = {
    kty: "OKP",
    crv: "Ed25519",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    kid: "k",
    alg: "EdDSA",
  };
  const bad: Array<[string, unknown]> = [
    ["no options", undefined],
    ["no issuer", { audience: "api", keys: [ed] }],
    ["empty issuer", { issuer: "", audience: "api", keys: [ed] }],
    ["no audience", { issuer: "https://a", keys: [ed] }],
    ["empty audience list", { ...base, audience: [], keys: [ed] }],
    ["both jwksUri and keys", { ...base, jwksUri: "https://a/jwks", keys: [ed] }],
    ["http JWKS off loopback", { ...base, jwksUri: "http://auth.example.com/jwks" }],
    ["HS256 with a JWKS", { ...base, algorithms: ["HS256"] }],
    ["unknown algorithm", { ...base, algorithms: ["none"] }],
    ["empty algorithms", { ...base, algorithms: [] }],
    [
      "secret not allowed by algorithms",
      { ...base, keys: [{ kty: "oct", k: "a".repeat(43), alg: "HS256" }] },
    ],
    [
      "short HS256 secret",
      {
        ...base,
        algorithms: ["HS256"],
        keys: [{ kty: "oct", k: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg", alg: "HS256" }],
      },
    ],
    [
      "mixed symmetric and asymmetric keys",
      {
        ...base,
        algorithms: ["HS256", "EdDSA"],
        keys: [ed, { kty: "oct", k: "a".repeat(43), alg: "HS256", kid: "h" }],
      },
    ],
    ["private key members", { ...base, keys: [{ ...ed, d: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] }],
    ["key alg outside algorithms", { ...base, algorithms: ["ES256"], keys: [ed] }],
    ["negative clockTolerance", { ...base, keys: [ed], clockTolerance: -1 }],
    ["huge clockTolerance", { ...base, keys: [ed], clockTolerance: 3600 }],
    ["zero maxTokenAge", { ...base, keys: [ed], maxTokenAge: 0 }],
    ["revocation without isRevoked", { ...base, keys: [ed], revocation: {} }],
  ];
  for (const [name, options] of bad) {
    it(`throws: ${name}`, () => {
      expect(() => createVerifier(options as VerifierOptions)).toThrow(TypeError);
    });
  }

  it("accepts a minimal valid configuration (JWKS derived from the issuer)", () => {
    expect(() => createVerifier({ ...base })).not.toThrow();
    expect(() => createVerifier({ ...base, jwksUri: "http://127.0.0.1:9/jwks.json" })).not.toThrow();
  });
});

describe("claims", () => {
  const setup = async (alg: TestAlgorithm = "EdDSA", extra: Partial<VerifierOptions> = {}) => {
    const issuer = await createTestIssuer({ alg, now: () => T0 });
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      keys: issuer.jwks.keys,
      clock: clockAt(T0),
      clockTolerance: 5,
      ...extra,
    });
    return { issuer, verifier };
  };
  const s = Math.floor(T0 / 1000);

  it("exp: valid just before, expired at exp (+ tolerance)", async () => {
    const { issuer, verifier } = await setup();
    expect(await code(verifier.verify(await issuer.token({ exp: s - 4 })))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ exp: s - 5 })))).toBe("token_expired");
    expect(await code(verifier.verify(await issuer.token({ exp: s - 3600 })))).toBe("token_expired");
  });

  it("nbf and iat in the future beyond tolerance are not yet valid", async () => {
    const { issuer, verifier } = await setup();
    expect(await code(verifier.verify(await issuer.token({ nbf: s + 5 })))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ nbf: s + 6 })))).toBe("token_not_yet_valid");
    expect(await code(verifier.verify(await issuer.token({ iat: s + 5 })))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ iat: s + 60 })))).toBe("token_not_yet_valid");
  });

  it("maxTokenAge refuses old tokens", async () => {
    const { issuer, verifier } = await setup("EdDSA", { maxTokenAge: 300 });
    expect(await code(verifier.verify(await issuer.token({ iat: s - 305 })))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ iat: s - 306 })))).toBe("token_too_old");
  });

  it("iss must match exactly", async () => {
    const { issuer, verifier } = await setup();
    for (const iss of ["https://evil.example", `${issuer.issuer}/`, issuer.issuer.toUpperCase()]) {
      expect(await code(verifier.verify(await issuer.token({ iss })))).toBe("issuer_invalid");
    }
  });

  it("aud as string or array must contain our audience", async () => {
    const { issuer, verifier } = await setup();
    expect(await code(verifier.verify(await issuer.token({ aud: ["x", issuer.audience] })))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ aud: "other-api" })))).toBe("audience_invalid");
    expect(await code(verifier.verify(await issuer.token({ aud: ["x", "y"] })))).toBe("audience_invalid");
    expect(await code(verifier.verify(await issuer.token({ aud: [] })))).toBe("token_malformed");
  });

  it("a verifier with several audiences accepts any of them", async () => {
    const { issuer, verifier } = await setup("ES256", { audience: ["a", "test-api"] });
    expect(await code(verifier.verify(await issuer.token()))).toBe("resolved");
    expect(await code(verifier.verify(await issuer.token({ aud: "b" })))).toBe("audience_invalid");
  });

  for (const claim of ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "sid"]) {
    it(`missing ${claim} is claim_missing`, async () => {
      const { issuer, verifier } = await setup();
      expect(await code(verifier.verify(await issuer.token({ [claim]: undefined })))).toBe("claim_missing");
    });
  }

  it("requiredClaims adds claims that must be present", async () => {
    const { issuer, verifier } = await setup("EdDSA", { requiredClaims: ["scope"] });
    expect(await code(verifier.verify(await issuer.token()))).toBe("claim_missing");
    expect(await code(verifier.verify(await issuer.token({ scope: "read" })))).toBe("resolved");
  });

  // Decision: a claim present with the wrong JSON type is token_malformed; claim_missing is only for absence.
  for (const [claim, value] of [
    ["exp", String(s + 600)],
    ["iat", String(s)],
    ["nbf", String(s)],
    ["epoch", "1"],
    ["epoch", 1.5],
    ["sub", 42],
    ["sid", ""],
    ["aud", [1]],
    ["scope", ["a"]],
    ["roles", "admin"],
    ["roles", [1]],
    ["cnf", "x"],
  ] as const) {
    it(`${claim} = ${JSON.stringify(value)} is token_malformed`, async () => {
      const { issuer, verifier } = await setup();
      expect(await code(verifier.verify(await issuer.token({ [claim]: value })))).toBe("token_malformed");
    });
  }
});
