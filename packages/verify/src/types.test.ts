import { describe, expectTypeOf, it } from "vitest";
import {
  type AccessClaims,
  createVerifier,
  type RevocationSource,
  type Verifier,
  type VerifierOptions,
  type VerifyError,
  type VerifyErrorCode,
} from "./index.js";

describe("public types", () => {
  it("verify resolves to typed claims", () => {
    expectTypeOf<Verifier["verify"]>().returns.resolves.toEqualTypeOf<AccessClaims>();
    expectTypeOf<AccessClaims["sub"]>().toEqualTypeOf<string>();
    expectTypeOf<AccessClaims["aud"]>().toEqualTypeOf<string | string[]>();
    expectTypeOf<AccessClaims["exp"]>().toEqualTypeOf<number>();
    expectTypeOf<AccessClaims["sid"]>().toEqualTypeOf<string>();
    expectTypeOf<AccessClaims["epoch"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<AccessClaims["scope"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AccessClaims["roles"]>().toEqualTypeOf<string[] | undefined>();
  });

  it("VerifyError.code is the closed union", () => {
    expectTypeOf<VerifyError["code"]>().toEqualTypeOf<VerifyErrorCode>();
    expectTypeOf<"token_expired">().toMatchTypeOf<VerifyErrorCode>();
    expectTypeOf<"expired">().not.toMatchTypeOf<VerifyErrorCode>();
  });

  it("issuer and audience are required; algorithms are a closed list", () => {
    expectTypeOf<{ audience: string }>().not.toMatchTypeOf<VerifierOptions>();
    expectTypeOf<{ issuer: string }>().not.toMatchTypeOf<VerifierOptions>();
    expectTypeOf<{ issuer: string; audience: string }>().toMatchTypeOf<VerifierOptions>();
    expectTypeOf<{
      issuer: string;
      audience: string;
      algorithms: ["none"];
    }>().not.toMatchTypeOf<VerifierOptions>();
    expectTypeOf(createVerifier).returns.toEqualTypeOf<Verifier>();
  });

  it("a revocation source may answer synchronously or not", () => {
    expectTypeOf<{ isRevoked: () => boolean }>().toMatchTypeOf<RevocationSource>();
    expectTypeOf<{ isRevoked: () => Promise<boolean> }>().toMatchTypeOf<RevocationSource>();
  });
});
