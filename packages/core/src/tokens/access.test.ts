import { createHmac, sign } from "node:crypto";
import { type AccessTokenClaims, signingKeySealKey } from "@tessera/core";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSigningKey } from "../keys/load.js";
import {
  AUDIENCE,
  CTX,
  type Harness,
  ISSUER,
  MASTER_KEY,
  outcome,
  setUp,
  signUpAndIn,
} from "../test-support/harness.js";
import type { SigningKey } from "./access.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const decode = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? "", "base64url").toString()) as unknown;

/** The key that really signs, opened from the store the way an attacker with the master key would. */
async function realKey(status: "active" | "next" = "active"): Promise<SigningKey> {
  const record = (await h.store.listSigningKeys()).find((k) => k.status === status);
  if (record === undefined) throw new Error("no key");
  return loadSigningKey(record, signingKeySealKey(MASTER_KEY));
}

/** Sign any header and payload with an EdDSA key, to vary one thing at a time. */
function forge(key: SigningKey, header: object, payload: object): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString("base64url")}`;
}

describe("issued access tokens", () => {
  beforeEach(async () => {
    h = await setUp();
  });

  it("have header {alg, typ: at+jwt, kid} and exactly the documented claims", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    const [header, payload] = tokens.accessToken.split(".");
    const key = await realKey();
    expect(decode(header)).toStrictEqual({ alg: "EdDSA", typ: "at+jwt", kid: key.kid });
    const claims = decode(payload) as AccessTokenClaims;
    expect(Object.keys(claims).sort()).toEqual(
      ["aud", "client_id", "epoch", "exp", "iat", "iss", "jti", "sid", "sub"].sort(),
    );
    const iat = Math.floor(h.clock.now() / 1000);
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      client_id: "tessera",
      iat,
      exp: iat + 900,
      sid: tokens.sessionId,
      sub: tokens.user.id,
      epoch: 0,
    });
    expect(tokens.expiresIn).toBe(900);
  });

  it("verify with jose against the published JWKS", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    const jwks = createLocalJWKSet(await h.tessera.jwks());
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, jwks, {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: "at+jwt",
      algorithms: ["EdDSA"],
      currentDate: new Date(h.clock.now()),
    });
    expect(payload.sid).toBe(tokens.sessionId);
    expect(protectedHeader.kid).toBe((await realKey()).kid);
    // and jose refuses it against the wrong audience, so the check above is not vacuous
    await expect(
      jwtVerify(tokens.accessToken, jwks, { audience: "other", currentDate: new Date(h.clock.now()) }),
    ).rejects.toThrow();
  });

  it("expire after the access-token lifetime", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(900_000 - 1);
    expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("ok");
    h.clock.advance(1);
    expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("token_expired");
  });
});

describe("verification pins the algorithm to the key and checks every claim", () => {
  let good: AccessTokenClaims;
  let key: SigningKey;
  const header = (more: object = {}) => ({ alg: "EdDSA", typ: "at+jwt", kid: key.kid, ...more });

  beforeEach(async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    good = decode(tokens.accessToken.split(".")[1]) as AccessTokenClaims;
    key = await realKey();
  });

  const check = (token: string) => outcome(h.tessera.authenticate(token));

  it("accepts a token forged with the real key and the right shape (the control)", async () => {
    expect(await check(forge(key, header(), good))).toBe("ok");
    expect(await check(forge(key, header({ typ: "application/at+jwt" }), good))).toBe("ok");
  });

  it("rejects HS256 signed with the public key as the secret", async () => {
    const jwk = (await h.tessera.jwks()).keys.find((k) => k.kid === key.kid);
    const publicPem = key.verifyKey.export({ type: "spki", format: "pem" });
    for (const secret of [JSON.stringify(jwk), publicPem, Buffer.from(jwk?.x ?? "", "base64url")]) {
      const input = `${b64(header({ alg: "HS256" }))}.${b64(good)}`;
      const mac = createHmac("sha256", secret).update(input).digest("base64url");
      expect(await check(`${input}.${mac}`)).toBe("token_invalid");
    }
  });

  it("rejects alg none, another alg on the key, a wrong or missing typ, crit", async () => {
    expect(await check(`${b64(header({ alg: "none" }))}.${b64(good)}.`)).toBe("token_invalid");
    expect(await check(`${b64(header({ alg: "none" }))}.${b64(good)}.${b64("x")}`)).toBe("token_invalid");
    expect(await check(forge(key, header({ alg: "ES256" }), good))).toBe("token_invalid");
    expect(await check(forge(key, header({ typ: "JWT" }), good))).toBe("token_invalid");
    expect(await check(forge(key, { alg: "EdDSA", kid: key.kid }, good))).toBe("token_invalid");
    expect(await check(forge(key, header({ crit: ["exp"] }), good))).toBe("token_invalid");
  });

  it("rejects an unknown kid, a missing kid, and another published key's kid", async () => {
    const next = await realKey("next");
    expect(await check(forge(key, header({ kid: "nope" }), good))).toBe("token_invalid");
    expect(await check(forge(key, { alg: "EdDSA", typ: "at+jwt" }, good))).toBe("token_invalid");
    expect(await check(forge(key, header({ kid: next.kid }), good))).toBe("token_invalid");
    expect(await check(forge(next, header({ kid: next.kid }), good))).toBe("ok"); // control
  });

  it("rejects a tampered payload or signature", async () => {
    const token = forge(key, header(), good);
    const [p1, , p3] = token.split(".") as [string, string, string];
    expect(await check(`${p1}.${b64({ ...good, sub: "someone-else" })}.${p3}`)).toBe("token_invalid");
    const flipped = Buffer.from(p3, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await check(`${p1}.${token.split(".")[1]}.${flipped.toString("base64url")}`)).toBe(
      "token_invalid",
    );
    expect(await check(`${token}.`)).toBe("token_invalid");
    expect(await check(token.replaceAll(".", ".."))).toBe("token_invalid");
  });

  it("rejects a wrong issuer or audience, missing claims, a future iat", async () => {
    const bad = (claims: object) => check(forge(key, header(), claims));
    expect(await bad({ ...good, iss: "https://evil.test" })).toBe("token_invalid");
    expect(await bad({ ...good, aud: "other-api" })).toBe("token_invalid");
    expect(await bad({ ...good, aud: ["other-api", AUDIENCE] })).toBe("ok");
    expect(await bad({ ...good, sid: undefined })).toBe("token_invalid");
    expect(await bad({ ...good, epoch: "0" })).toBe("token_invalid");
    expect(await bad({ ...good, exp: String(good.exp) })).toBe("token_invalid");
    expect(await bad({ ...good, iat: good.iat + 61 })).toBe("token_invalid");
    expect(await bad({ ...good, iat: good.iat + 60 })).toBe("ok");
  });

  it("rejects a signed token whose session was never created", async () => {
    expect(await check(forge(key, header(), { ...good, sid: "ghost" }))).toBe("token_revoked");
  });

  it("refuses non-JWT input without throwing anything but token_invalid", async () => {
    for (const junk of ["", "a.b", "a.b.c", "....", "x".repeat(9000), "eyJ.eyJ.AA"]) {
      expect(await check(junk)).toBe("token_invalid");
    }
  });
});

describe("revocation ordering within one second", () => {
  it("rejects a token issued just before logout-all and accepts one issued just after, same iat", async () => {
    h = await setUp();
    const { email, tokens: before } = await signUpAndIn(h.tessera);
    const claims = await h.tessera.authenticate(before.accessToken);
    await h.tessera.logoutAll(claims, CTX);
    const after = await h.tessera.login({ email, password: "correct horse battery staple", context: CTX });
    const afterClaims = decode(after.accessToken.split(".")[1]) as AccessTokenClaims;
    expect(afterClaims.iat).toBe(claims.iat);
    expect(afterClaims.epoch).toBe(claims.epoch + 1);
    expect(await outcome(h.tessera.authenticate(before.accessToken))).toBe("token_revoked");
    expect(await outcome(h.tessera.authenticate(after.accessToken))).toBe("ok");
  });
});

describe("headers", () => {
  it("every algorithm writes typ at+jwt and its own alg", async () => {
    for (const alg of ["ES256", "HS256"] as const) {
      h = await setUp({ signingAlg: alg });
      const { tokens } = await signUpAndIn(h.tessera);
      expect(decodeProtectedHeader(tokens.accessToken)).toMatchObject({ alg, typ: "at+jwt" });
      await h.close();
    }
    h = await setUp();
  });
});
