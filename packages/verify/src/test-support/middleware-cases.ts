import { expect } from "vitest";
import { createTestIssuer, type TestIssuer } from "../testing/index.js";
import type { Verifier } from "../types.js";
import { createVerifier } from "../verifier.js";

/** A framework under test, reduced to "send this request, give me status, headers and body". */
export type Send = (
  path: string,
  headers?: Record<string, string>,
) => Promise<{ status: number; headers: Headers; body: string }>;

export interface Fixture {
  issuer: TestIssuer;
  verifier: Verifier;
  good: string;
  scoped: string;
  expired: string;
}

/** An issuer, a verifier and a few tokens shared by the middleware tests. */
export async function fixture(): Promise<Fixture> {
  const issuer = await createTestIssuer({ alg: "ES256" });
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    keys: issuer.jwks.keys,
  });
  const now = Math.floor(Date.now() / 1000);
  return {
    issuer,
    verifier,
    good: await issuer.token({ scope: "orders:read" }),
    scoped: await issuer.token({ scope: "orders:read orders:write" }),
    expired: await issuer.token({ iat: now - 7200, exp: now - 3600 }),
  };
}

/**
 * The behaviour every middleware must share. Routes: `GET /me` (auth required, returns
 * `{sub}`), `POST /orders` (auth + scope `orders:write`), `GET /maybe` (optional auth,
 * returns `{sub}` or `{sub:null}`).
 */
export async function expectSharedBehaviour(send: Send, f: Fixture): Promise<void> {
  const ok = await send("/me", { authorization: `Bearer ${f.good}` });
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toEqual({ sub: "user_1" });

  const missing = await send("/me");
  expect(missing.status).toBe(401);
  expect(missing.headers.get("www-authenticate")).toBe("Bearer");
  expect(JSON.parse(missing.body).error).toBe("token_missing");

  const basic = await send("/me", { authorization: "Basic dXNlcjpwYXNz" });
  expect(basic.status).toBe(401);
  expect(basic.headers.get("www-authenticate")).toBe("Bearer");

  const forged = `${f.good.slice(0, -4)}AAAA`;
  const bad = await send("/me", { authorization: `Bearer ${forged}` });
  expect(bad.status).toBe(401);
  expect(bad.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
  expect(JSON.parse(bad.body)).toMatchObject({ error: "signature_invalid" });
  const echoed = bad.body + [...bad.headers.values()].join(" ");
  expect(echoed.includes(forged.split(".")[1] as string)).toBe(false);

  const garbage = await send("/me", { authorization: "Bearer not a token" });
  expect(garbage.status).toBe(401);
  expect(JSON.parse(garbage.body).error).toBe("token_malformed");

  const expired = await send("/me", { authorization: `Bearer ${f.expired}` });
  expect(expired.status).toBe(401);
  expect(JSON.parse(expired.body).error).toBe("token_expired");

  // Never from the query string.
  const query = await send(`/me?access_token=${f.good}`);
  expect(query.status).toBe(401);
  expect(JSON.parse(query.body).error).toBe("token_missing");

  const noScope = await send("/orders", { authorization: `Bearer ${f.good}` });
  expect(noScope.status).toBe(403);
  expect(noScope.headers.get("www-authenticate")).toBe(
    'Bearer error="insufficient_scope", scope="orders:write"',
  );
  expect(JSON.parse(noScope.body).error).toBe("insufficient_scope");
  const withScope = await send("/orders", { authorization: `Bearer ${f.scoped}` });
  expect(withScope.status).toBe(200);

  const anonymous = await send("/maybe");
  expect(anonymous.status).toBe(200);
  expect(JSON.parse(anonymous.body)).toEqual({ sub: null });
  const optionalBad = await send("/maybe", { authorization: `Bearer ${forged}` });
  expect(optionalBad.status).toBe(401);
  const optionalGood = await send("/maybe", { authorization: `Bearer ${f.good}` });
  expect(JSON.parse(optionalGood.body)).toEqual({ sub: "user_1" });
}
