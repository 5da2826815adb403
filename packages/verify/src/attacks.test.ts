// The attack suite: every case asserts the exact VerifyError code.
import { createHmac, createPublicKey, generateKeyPair, sign } from "node:crypto";
import { promisify } from "node:util";
import { exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier, VerifyError, type VerifyErrorCode } from "./index.js";
import { createTestIssuer, type TestIssuer } from "./testing/index.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const S0 = Math.floor(T0 / 1000);
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64url");

async function code(promise: Promise<unknown>): Promise<VerifyErrorCode | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
}

let ed: TestIssuer;
let es: TestIssuer;
let rs: TestIssuer;
let verifier: Verifier;
const fetched: string[] = [];

function claimsJson(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    iss: ed.issuer,
    sub: "user_1",
    aud: ed.audience,
    client_id: "tessera",
    iat: S0,
    exp: S0 + 600,
    jti: "j1",
    sid: "s1",
    epoch: 0,
    ...extra,
  });
}
const header = (kid: string, alg = "EdDSA", extra: Record<string, unknown> = {}) =>
  JSON.stringify({ alg, typ: "at+jwt", kid, ...extra });

beforeAll(async () => {
  ed = await createTestIssuer({ alg: "EdDSA", kid: "ed-1", now: () => T0 });
  es = await createTestIssuer({ alg: "ES256", kid: "es-1", now: () => T0 });
  rs = await createTestIssuer({ alg: "RS256", kid: "rs-1", now: () => T0 });
  const jwks = { keys: [ed.jwk, es.jwk, rs.jwk] };
  verifier = createVerifier({
    issuer: ed.issuer,
    audience: ed.audience,
    jwksUri: "https://auth.test.example/.well-known/jwks.json",
    clock: { now: () => T0 },
    // Records every URL the verifier asks for, so header URLs can be shown never to be fetched.
    fetch: async (input) => {
      fetched.push(String(input));
      return new Response(JSON.stringify(jwks), { headers: { "content-type": "application/json" } });
    },
  });
  expect(await code(verifier.verify(await ed.token()))).toBe("resolved");
  expect(await code(verifier.verify(await es.token()))).toBe("resolved");
  expect(await code(verifier.verify(await rs.token()))).toBe("resolved");
});

describe("algorithm attacks", () => {
  for (const none of ["none", "None", "NONE", "nOnE"]) {
    it(`alg "${none}" is refused (with or without a signature segment)`, async () => {
      const input = `${b64(JSON.stringify({ alg: none, typ: "at+jwt", kid: "ed-1" }))}.${b64(claimsJson())}`;
      expect(await code(verifier.verify(`${input}.${b64("sig")}`))).toBe("alg_not_allowed");
      // An empty signature fails the compact grammar first.
      expect(await code(verifier.verify(`${input}.`))).toBe("token_malformed");
    });
  }

  it("HS256 signed with the public key (bytes, PEM, JWK text) is refused: key confusion", async () => {
    const input = `${b64(header("rs-1", "HS256"))}.${b64(claimsJson())}`;
    const pub = createPublicKey(rs.signingKey);
    const secrets = [
      pub.export({ type: "spki", format: "der" }),
      pub.export({ type: "spki", format: "pem" }),
      Buffer.from(JSON.stringify(rs.jwk)),
      Buffer.from(String(rs.jwk.n), "base64url"),
    ];
    for (const secret of secrets) {
      const mac = createHmac("sha256", secret).update(input).digest();
      expect(await code(verifier.verify(`${input}.${b64(mac)}`))).toBe("alg_not_allowed");
    }
  });

  it("a header alg that differs from the key's alg is refused even when both are allowed", async () => {
    // RS256 is allowed, but kid es-1 is an ES256 key: the token's header never chooses the algorithm.
    const forged = rs.signRaw(header("es-1", "RS256"), claimsJson());
    expect(await code(verifier.verify(forged))).toBe("alg_not_allowed");
    const forged2 = es.signRaw(header("ed-1", "ES256"), claimsJson());
    expect(await code(verifier.verify(forged2))).toBe("alg_not_allowed");
  });

  it("an algorithm outside the allow-list is refused (PS256, HS512, ES384)", async () => {
    for (const alg of ["PS256", "HS512", "ES384"]) {
      const token = `${b64(header("rs-1", alg))}.${b64(claimsJson())}.${b64("x".repeat(64))}`;
      expect(await code(verifier.verify(token))).toBe("alg_not_allowed");
    }
  });

  it("ECDSA r = s = 0 (and other degenerate signatures) fail", async () => {
    const input = `${b64(header("es-1", "ES256"))}.${b64(claimsJson())}`;
    const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
    const one = Buffer.alloc(32);
    one[31] = 1;
    for (const sig of [
      Buffer.alloc(64),
      Buffer.concat([one, one]),
      Buffer.concat([n, n]),
      Buffer.concat([Buffer.alloc(32), one]),
    ]) {
      expect(await code(verifier.verify(`${input}.${b64(sig)}`))).toBe("signature_invalid");
    }
    // A DER-encoded signature in place of r‖s is refused too (wrong length).
    const der = sign("sha256", Buffer.from(input), es.signingKey);
    expect(await code(verifier.verify(`${input}.${b64(der)}`))).toBe("signature_invalid");
  });
});

describe("key-selection attacks", () => {
  it("an embedded jwk is refused, even with the attacker's valid signature", async () => {
    const attacker = await promisify(generateKeyPair)("ed25519");
    const jwk = await exportJWK(attacker.publicKey);
    const input = `${b64(header("ed-1", "EdDSA", { jwk }))}.${b64(claimsJson())}`;
    const sig = sign(null, Buffer.from(input), attacker.privateKey);
    expect(await code(verifier.verify(`${input}.${b64(sig)}`))).toBe("token_malformed");
    // Even when the real key signed it: a key in the header is never acceptable.
    expect(await code(verifier.verify(ed.signRaw(header("ed-1", "EdDSA", { jwk }), claimsJson())))).toBe(
      "token_malformed",
    );
  });

  it("jku / x5u / x5c headers are refused and never fetched", async () => {
    const before = fetched.length;
    for (const extra of [
      { jku: "https://attacker.example/jwks.json" },
      { x5u: "https://attacker.example/cert.pem" },
      { x5c: ["MIIB"] },
    ]) {
      expect(await code(verifier.verify(ed.signRaw(header("ed-1", "EdDSA", extra), claimsJson())))).toBe(
        "token_malformed",
      );
    }
    expect(fetched.slice(before).some((url) => url.includes("attacker"))).toBe(false);
  });

  it("an unknown kid is key_not_found", async () => {
    const other = await createTestIssuer({ alg: "EdDSA", kid: "not-published", now: () => T0 });
    expect(await code(verifier.verify(await other.token({ iss: ed.issuer, aud: ed.audience })))).toBe(
      "key_not_found",
    );
  });

  for (const kid of [
    "../../etc/passwd",
    "' OR 1=1 --",
    "__proto__",
    "constructor",
    "ed-1\u0000",
    "ED-1",
    " ed-1",
  ]) {
    it(`kid ${JSON.stringify(kid)} finds no key`, async () => {
      expect(await code(verifier.verify(ed.signRaw(header(kid), claimsJson())))).toBe("key_not_found");
    });
  }

  it("a kid that is not a short string is token_malformed", async () => {
    for (const kid of [1, ["ed-1"], { id: "ed-1" }, "", "k".repeat(257)]) {
      const token = ed.signRaw(JSON.stringify({ alg: "EdDSA", typ: "at+jwt", kid }), claimsJson());
      expect(await code(verifier.verify(token))).toBe("token_malformed");
    }
  });
});

describe("integrity", () => {
  it("a tampered payload or header fails the signature", async () => {
    const [h, , s] = (await ed.token()).split(".") as [string, string, string];
    const evil = b64(claimsJson({ sub: "admin" }));
    expect(await code(verifier.verify(`${h}.${evil}.${s}`))).toBe("signature_invalid");
    const h2 = b64(header("ed-1", "EdDSA", { x: 1 }));
    const [, p] = (await ed.token()).split(".") as [string, string];
    expect(await code(verifier.verify(`${h2}.${p}.${s}`))).toBe("signature_invalid");
  });

  it("a stripped signature is token_malformed", async () => {
    const [h, p] = (await ed.token()).split(".") as [string, string];
    expect(await code(verifier.verify(`${h}.${p}.`))).toBe("token_malformed");
    expect(await code(verifier.verify(`${h}.${p}`))).toBe("token_malformed");
  });

  it("a signature from another key of the same algorithm fails", async () => {
    const other = await createTestIssuer({ alg: "EdDSA", kid: "ed-1", now: () => T0 });
    expect(await code(verifier.verify(await other.token({ iss: ed.issuer, aud: ed.audience })))).toBe(
      "signature_invalid",
    );
  });
});

describe("token type", () => {
  for (const typ of ["JWT", "jwt", "application/jwt", "id_token+jwt", "rt+jwt", "at+jwt ", "at+JWT2"]) {
    it(`typ ${JSON.stringify(typ)} is type_invalid`, async () => {
      expect(await code(verifier.verify(await ed.token({}, { typ })))).toBe("type_invalid");
    });
  }
  it("a missing typ is type_invalid (an ID-token-shaped JWT too)", async () => {
    expect(await code(verifier.verify(await ed.token({}, { typ: undefined })))).toBe("type_invalid");
    const idToken = await ed.token({ nonce: "n", auth_time: S0, aud: ed.audience }, { typ: "JWT" });
    expect(await code(verifier.verify(idToken))).toBe("type_invalid");
  });
  it("at+jwt and application/at+jwt are accepted in any case (RFC 9068, RFC 7515 §4.1.9)", async () => {
    for (const typ of ["at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"]) {
      expect(await code(verifier.verify(await ed.token({}, { typ })))).toBe("resolved");
    }
  });
  it("a refresh token (opaque tsr_…) presented as an access token is type_invalid", async () => {
    expect(await code(verifier.verify(`tsr_${"A".repeat(22)}.${"b".repeat(43)}`))).toBe("type_invalid");
    // Without the id.secret shape it is just garbage.
    expect(await code(verifier.verify(`tsr_${"A".repeat(43)}`))).toBe("token_malformed");
  });
  it("a non-string token is token_malformed; an absent one token_missing", async () => {
    expect(await code(verifier.verify(42 as unknown as string))).toBe("token_malformed");
    expect(await code(verifier.verify({} as unknown as string))).toBe("token_malformed");
    expect(await code(verifier.verify(""))).toBe("token_missing");
    expect(await code(verifier.verify(undefined))).toBe("token_missing");
    expect(await code(verifier.verify(null))).toBe("token_missing");
  });
});

describe("compact-serialization format (RFC 7515 §7.1, RFC 8725bis §3.15)", () => {
  it("refuses tokens over 8 KiB, even validly signed", async () => {
    const big = ed.signRaw(header("ed-1"), claimsJson({ pad: "x".repeat(6000) }));
    expect(big.length).toBeGreaterThan(8192);
    expect(await code(verifier.verify(big))).toBe("token_malformed");
    const fits = ed.signRaw(header("ed-1"), claimsJson({ pad: "x".repeat(5000) }));
    expect(fits.length).toBeLessThanOrEqual(8192);
    expect(await code(verifier.verify(fits))).toBe("resolved");
  });

  it("refuses non-JSON and non-object segments", async () => {
    expect(await code(verifier.verify(`${b64("not json")}.${b64(claimsJson())}.${b64("s")}`))).toBe(
      "token_malformed",
    );
    expect(await code(verifier.verify(`${b64("[1]")}.${b64(claimsJson())}.${b64("s")}`))).toBe(
      "token_malformed",
    );
    for (const payload of ["not json", "[1,2]", '"a string"', "null", "42", "", "{"]) {
      expect(await code(verifier.verify(ed.signRaw(header("ed-1"), payload)))).toBe("token_malformed");
    }
  });

  it("refuses invalid UTF-8 and a BOM in signed segments", async () => {
    const input = `${b64(header("ed-1"))}.${b64(Buffer.from([0x7b, 0xff, 0x7d]))}`;
    expect(await code(verifier.verify(ed.signInput(input)))).toBe("token_malformed");
    expect(await code(verifier.verify(ed.signRaw(header("ed-1"), `\uFEFF${claimsJson()}`)))).toBe(
      "token_malformed",
    );
  });

  it("refuses duplicate member names in the payload (also escaped or nested) and in the header", async () => {
    const good = claimsJson();
    const cases = [
      `${good.slice(0, -1)},"sub":"admin"}`,
      `${good.slice(0, -1)},"\\u0073ub":"admin"}`,
      `${good.slice(0, -1)},"cnf":{"jkt":"a","jkt":"b"}}`,
    ];
    for (const payload of cases) {
      expect(await code(verifier.verify(ed.signRaw(header("ed-1"), payload)))).toBe("token_malformed");
    }
    const dupHeader = '{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1","typ":"at+jwt"}';
    expect(await code(verifier.verify(ed.signRaw(dupHeader, good)))).toBe("token_malformed");
    const dupAlg = '{"alg":"none","typ":"at+jwt","kid":"ed-1","alg":"EdDSA"}';
    expect(await code(verifier.verify(ed.signRaw(dupAlg, good)))).toBe("token_malformed");
  });

  it("refuses padding, non-canonical final characters, + / and whitespace", async () => {
    const token = await ed.token();
    const [h, p, s] = token.split(".") as [string, string, string];
    // Ed25519 signatures are 64 bytes = 86 chars, whose last char carries 2 unused bits.
    const last = s.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const variants = [
      `${h}.${p}.${s}==`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s.slice(0, -1)}${sibling}`,
      `${h}.${p}.${s.replaceAll("-", "+").replaceAll("_", "/")}${s.includes("-") || s.includes("_") ? "" : "+"}`,
      ` ${token}`,
      `${token}\n`,
      `${h}.${p} .${s}`,
      `${h}.${p}.${s}A`.slice(0, -2), // length 1 mod 4: no byte string encodes to it
    ];
    for (const variant of variants) {
      expect({ variant, code: await code(verifier.verify(variant)) }).toEqual({
        variant,
        code: "token_malformed",
      });
    }
    expect(await code(verifier.verify(token))).toBe("resolved");
    // A canonical encoding of a 65-byte signature is well-formed, just wrong.
    expect(await code(verifier.verify(`${token}A`))).toBe("signature_invalid");
  });

  it("refuses JWE (5 segments), extra segments and the JSON serialization", async () => {
    const [h, p, s] = (await ed.token()).split(".") as [string, string, string];
    expect(await code(verifier.verify(`${h}.${p}.${s}.${s}.${s}`))).toBe("token_malformed");
    expect(await code(verifier.verify(`${h}.${p}.${s}.`))).toBe("token_malformed");
    const json = JSON.stringify({ payload: p, protected: h, signature: s });
    expect(await code(verifier.verify(json))).toBe("token_malformed");
  });

  for (const extra of [
    { crit: ["exp"], exp: 1 },
    { zip: "DEF" },
    { b64: false, crit: ["b64"] },
    { enc: "A256GCM" },
    { p2c: 10_000_000 },
    { cty: "JWT" },
  ]) {
    it(`refuses header ${JSON.stringify(extra)}`, async () => {
      expect(await code(verifier.verify(ed.signRaw(header("ed-1", "EdDSA", extra), claimsJson())))).toBe(
        "token_malformed",
      );
    });
  }
});

describe("time claims (acceptance list)", () => {
  it("expired, nbf in the future, missing iat, iat in the future", async () => {
    expect(await code(verifier.verify(await ed.token({ exp: S0 - 60 })))).toBe("token_expired");
    expect(await code(verifier.verify(await ed.token({ nbf: S0 + 60 })))).toBe("token_not_yet_valid");
    expect(await code(verifier.verify(await ed.token({ iat: undefined })))).toBe("claim_missing");
    expect(await code(verifier.verify(await ed.token({ iat: S0 + 60 })))).toBe("token_not_yet_valid");
  });
  it("wrong iss and wrong aud (also an aud array without ours)", async () => {
    expect(await code(verifier.verify(await ed.token({ iss: "https://evil.example" })))).toBe(
      "issuer_invalid",
    );
    expect(await code(verifier.verify(await ed.token({ aud: "other" })))).toBe("audience_invalid");
    expect(await code(verifier.verify(await ed.token({ aud: ["a", "b"] })))).toBe("audience_invalid");
  });
});
