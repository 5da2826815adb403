import { expect } from "vitest";
import { makeProof, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import type { Fixture, Send } from "./middleware-cases.js";

/**
 * DPoP through a middleware (RFC 9449 §7): proofs made with plain `jose`. `urlOf(path)` is the
 * URL the framework sees for a request to `path` (what `htu` must name).
 */
export async function expectDpopBehaviour(
  send: Send,
  f: Fixture,
  urlOf: (path: string) => string,
): Promise<void> {
  const [key, other] = await Promise.all([proofKey("ES256"), proofKey("EdDSA")]);
  const bound = await f.issuer.token({ cnf: { jkt: key.jkt } });
  const proof = (extra: { htm?: string; k?: typeof key; accessToken?: string } = {}) =>
    makeProof(extra.k ?? key, {
      htm: extra.htm ?? "GET",
      htu: urlOf("/me"),
      accessToken: extra.accessToken ?? bound,
    });

  const ok = await send("/me", { authorization: `DPoP ${bound}`, dpop: await proof() });
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toEqual({ sub: "user_1" });

  const asBearer = await send("/me", { authorization: `Bearer ${bound}` });
  expect(asBearer.status).toBe(401);
  expect(asBearer.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_token"/);
  expect(JSON.parse(asBearer.body).error).toBe("dpop_required");

  const refusals = [
    { authorization: `DPoP ${bound}` },
    { authorization: `DPoP ${bound}`, dpop: await proof({ htm: "POST" }) },
    { authorization: `DPoP ${bound}`, dpop: await proof({ k: other }) },
    { authorization: `DPoP ${bound}`, dpop: await proof({ accessToken: f.good }) },
  ];
  for (const headers of refusals) {
    const res = await send("/me", headers);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect(JSON.parse(res.body).error).toBe("dpop_proof_invalid");
  }

  const replayed = await proof();
  expect((await send("/me", { authorization: `DPoP ${bound}`, dpop: replayed })).status).toBe(200);
  expect(JSON.parse((await send("/me", { authorization: `DPoP ${bound}`, dpop: replayed })).body).error).toBe(
    "dpop_proof_invalid",
  );

  const unbound = await send("/me", {
    authorization: `DPoP ${f.good}`,
    dpop: await proof({ accessToken: f.good }),
  });
  expect(unbound.status).toBe(401);
  expect(JSON.parse(unbound.body).error).toBe("dpop_unbound");
}
