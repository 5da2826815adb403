import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bitLength, judgeJwks } from "./jwks.js";

async function rsaJwk(bits: number): Promise<Record<string, unknown>> {
  const { publicKey } = await promisify(generateKeyPair)("rsa", { modulusLength: bits });
  return { ...publicKey.export({ format: "jwk" }), kid: `rsa${bits}`, alg: "RS256", use: "sig" };
}

const rsa2048 = await rsaJwk(2048);
const ed = {
  kty: "OKP",
  crv: "Ed25519",
  x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  kid: "ed",
  alg: "EdDSA",
  use: "sig",
};
const p256 = {
  kty: "EC",
  crv: "P-256",
  x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
};

const worst = (findings: { status: string }[]) =>
  findings.some((f) => f.status === "fail")
    ? "fail"
    : findings.some((f) => f.status === "warn")
      ? "warn"
      : "pass";

describe("judgeJwks", () => {
  it("accepts Ed25519, P-256 and 2048-bit RSA public keys with unique kids", () => {
    const v = judgeJwks([ed, { ...p256, kid: "ec", alg: "ES256", use: "sig" }, rsa2048]);
    expect([worst(v.publicOnly), worst(v.strength), worst(v.kids)]).toEqual(["pass", "pass", "pass"]);
  });

  it("fails private members and symmetric keys", () => {
    expect(worst(judgeJwks([{ ...ed, d: "secret" }]).publicOnly)).toBe("fail");
    expect(
      worst(judgeJwks([{ kty: "oct", k: "c2VjcmV0", kid: "h", alg: "HS256", use: "sig" }]).publicOnly),
    ).toBe("fail");
    expect(worst(judgeJwks([{ ...rsa2048, p: "x", q: "y" }]).publicOnly)).toBe("fail");
  });

  it("fails weak or mismatched keys and algorithms", async () => {
    expect(worst(judgeJwks([await rsaJwk(1024)]).strength)).toBe("fail");
    expect(
      worst(judgeJwks([{ ...p256, crv: "secp256k1", kid: "k", alg: "ES256K", use: "sig" }]).strength),
    ).toBe("fail");
    expect(worst(judgeJwks([{ ...p256, kid: "k", alg: "ES384", use: "sig" }]).strength)).toBe("fail");
    expect(worst(judgeJwks([{ ...ed, crv: "X25519" }]).strength)).toBe("fail");
    expect(worst(judgeJwks([{ ...ed, alg: "none" }]).strength)).toBe("fail");
    expect(worst(judgeJwks([{ ...ed, alg: "RS256" }]).strength)).toBe("fail");
  });

  it("warns when alg is missing or the set is empty", () => {
    const { alg: _alg, ...noAlg } = ed;
    expect(worst(judgeJwks([noAlg]).strength)).toBe("warn");
    expect(worst(judgeJwks([]).strength)).toBe("warn");
  });

  it("fails duplicate or missing kids and non-signing use; warns on missing use", () => {
    expect(worst(judgeJwks([ed, { ...ed }]).kids)).toBe("fail");
    const { kid: _kid, ...noKid } = ed;
    expect(worst(judgeJwks([noKid]).kids)).toBe("fail");
    expect(worst(judgeJwks([{ ...ed, use: "enc" }]).kids)).toBe("fail");
    const { use: _use, ...noUse } = ed;
    expect(worst(judgeJwks([noUse]).kids)).toBe("warn");
  });

  it("counts modulus bits without leading zeros", () => {
    expect(bitLength(Buffer.from([0, 0x80, 0]).toString("base64url"))).toBe(16);
    expect(bitLength(Buffer.from([1]).toString("base64url"))).toBe(1);
    expect(bitLength("")).toBe(0);
  });
});
