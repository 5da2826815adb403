import { randomUUID } from "node:crypto";
import { createSqliteStore } from "@tessera/store-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../clock.js";
import type { Store } from "../store.js";
import { hs256Proof, makeProof, noneProof, type ProofKey, proofKey } from "../test-support/dpop-proofs.js";
import { DpopError, type DpopFailure } from "./errors.js";
import { normaliseHtu } from "./htu.js";
import { createDpopNonces } from "./nonce.js";
import { type DpopReplayCache, storeReplayCache } from "./replay.js";
import { type DpopProofInput, verifyDpopProof } from "./verify-proof.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const URL_ = "https://auth.example.com/oauth/token";
let store: Store;
let replay: DpopReplayCache;
let key: ProofKey;
let other: ProofKey;

beforeAll(async () => {
  store = createSqliteStore({ path: ":memory:" });
  await store.migrate();
  replay = storeReplayCache(store);
  [key, other] = await Promise.all([proofKey("ES256"), proofKey("ES256")]);
});
afterAll(() => store.close());

function check(header: DpopProofInput["header"], extra: Partial<DpopProofInput> = {}) {
  return verifyDpopProof({ header, method: "POST", url: URL_, now: T0, replay, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; failure: DpopFailure } | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (!(error instanceof DpopError)) throw error;
    return { code: error.code, failure: error.failure };
  }
}

const base = { htm: "POST", htu: URL_, nowMs: T0 };
const refused = (f: DpopFailure) => ({ code: "invalid_dpop_proof", failure: f });

describe("verifyDpopProof (RFC 9449 §4.3)", () => {
  it.each(["ES256", "EdDSA", "RS256", "PS256"] as const)(
    "accepts a valid %s proof and returns its thumbprint",
    async (alg) => {
      const k = await proofKey(alg);
      const jti = randomUUID();
      const result = await check(await makeProof(k, { ...base, jti }));
      expect(result).toEqual({ jkt: k.jkt, jti, iat: Math.floor(T0 / 1000) });
    },
  );

  // Issue 14.7: oauth4webapi labels Ed25519 proofs with RFC 9864's `Ed25519`; they were refused.
  it("accepts an Ed25519 key's proof labelled Ed25519 or EdDSA, a JWK alg of either name", async () => {
    for (const alg of ["Ed25519", "EdDSA"] as const) {
      const k = await proofKey(alg);
      expect(await check(await makeProof(k, base))).toMatchObject({ jkt: k.jkt });
      for (const jwkAlg of ["Ed25519", "EdDSA"]) {
        const labelled = await makeProof(k, { ...base, header: { jwk: { ...k.publicJwk, alg: jwkAlg } } });
        expect(await check(labelled)).toMatchObject({ jkt: k.jkt });
      }
      const ec = await makeProof(k, { ...base, header: { jwk: key.publicJwk } });
      expect(await failure(check(ec))).toEqual(refused("jwk"));
    }
    const ed = await proofKey("Ed25519");
    expect(await failure(check(await makeProof(ed, base), { algorithms: ["EdDSA"] }))).toEqual(
      refused("alg"),
    );
  });

  it("requires exactly one DPoP header", async () => {
    const proof = await makeProof(key, base);
    expect(await failure(check(undefined))).toEqual(refused("header_count"));
    expect(await failure(check([]))).toEqual(refused("header_count"));
    expect(await failure(check([proof, await makeProof(key, base)]))).toEqual(refused("header_count"));
    expect(await failure(check("not a jwt"))).toEqual(refused("malformed"));
    expect(await check([proof])).toMatchObject({ jkt: key.jkt });
  });

  it("requires typ dpop+jwt", async () => {
    expect(await failure(check(await makeProof(key, { ...base, header: { typ: "JWT" } })))).toEqual(
      refused("typ"),
    );
    expect(await failure(check(await makeProof(key, { ...base, header: { typ: undefined } })))).toEqual(
      refused("typ"),
    );
  });

  it("refuses alg none, HS256 and algorithms outside the allow-list", async () => {
    expect(await failure(check(noneProof(key, base)))).toEqual(refused("alg"));
    expect(await failure(check(await hs256Proof(key, base)))).toEqual(refused("alg"));
    const ed = await proofKey("EdDSA");
    expect(await failure(check(await makeProof(ed, base), { algorithms: ["ES256"] }))).toEqual(
      refused("alg"),
    );
  });

  it("refuses a private key in the header, and a key that does not fit the alg", async () => {
    const leaked = await makeProof(key, { ...base, header: { jwk: key.privateJwk } });
    expect(await failure(check(leaked))).toEqual(refused("private_jwk"));
    const withK = await makeProof(key, { ...base, header: { jwk: { ...key.publicJwk, k: "AAAA" } } });
    expect(await failure(check(withK))).toEqual(refused("private_jwk"));
    const ed = await proofKey("EdDSA");
    expect(await failure(check(await makeProof(key, { ...base, header: { jwk: ed.publicJwk } })))).toEqual(
      refused("jwk"),
    );
    expect(await failure(check(await makeProof(key, { ...base, header: { jwk: "x" } })))).toEqual(
      refused("jwk"),
    );
  });

  it("refuses a signature that the header key did not make", async () => {
    const swapped = await makeProof(key, { ...base, header: { jwk: other.publicJwk } });
    expect(await failure(check(swapped))).toEqual(refused("signature"));
    const proof = await makeProof(key, base);
    const [h, p] = proof.split(".");
    const foreignSig = (await makeProof(key, { ...base, htm: "GET" })).split(".")[2];
    expect(await failure(check(`${h}.${p}.${foreignSig}`))).toEqual(refused("signature"));
  });

  it("requires jti, htm, htu and iat", async () => {
    for (const claim of ["jti", "htm", "htu", "iat"]) {
      expect(await failure(check(await makeProof(key, { ...base, omit: [claim] })))).toEqual(
        refused("claims"),
      );
    }
  });

  it("matches htm exactly and htu after normalisation, ignoring query and fragment", async () => {
    expect(await failure(check(await makeProof(key, { ...base, htm: "GET" })))).toEqual(refused("htm"));
    expect(await failure(check(await makeProof(key, { ...base, htm: "post" })))).toEqual(refused("htm"));
    const wrong = [
      "https://auth.example.com/oauth/revoke",
      "http://auth.example.com/oauth/token",
      "https://evil.example/oauth/token",
      "/oauth/token",
    ];
    for (const htu of wrong) {
      expect(await failure(check(await makeProof(key, { ...base, htu })))).toEqual(refused("htu"));
    }
    for (const htu of [
      "HTTPS://AUTH.example.com:443/oauth/token",
      "https://auth.example.com/oauth/token?a=1#f",
    ]) {
      expect(await check(await makeProof(key, { ...base, htu }))).toMatchObject({ jkt: key.jkt });
    }
  });

  it("accepts iat within ±60 s and refuses stale and future proofs", async () => {
    const s = Math.floor(T0 / 1000);
    expect(await check(await makeProof(key, { ...base, iat: s - 60 }))).toMatchObject({ jkt: key.jkt });
    expect(await check(await makeProof(key, { ...base, iat: s + 60 }))).toMatchObject({ jkt: key.jkt });
    expect(await failure(check(await makeProof(key, { ...base, iat: s - 61 })))).toEqual(refused("iat"));
    expect(await failure(check(await makeProof(key, { ...base, iat: s + 61 })))).toEqual(refused("iat"));
  });

  it("refuses a replayed proof, but only once it passed every other check", async () => {
    const jti = randomUUID();
    const proof = await makeProof(key, { ...base, jti });
    // A proof refused for another reason takes no place in the cache.
    expect(await failure(check(await makeProof(key, { ...base, jti, htm: "GET" })))).toEqual(refused("htm"));
    expect(await check(proof)).toMatchObject({ jti });
    expect(await failure(check(proof))).toEqual(refused("replay"));
    expect(await failure(check(proof, { now: T0 + 30_000 }))).toEqual(refused("replay"));
    // Ids are unique per key: another key may use the same jti.
    expect(await check(await makeProof(other, { ...base, jti }))).toMatchObject({ jkt: other.jkt });
  });

  it("checks ath against the presented access token", async () => {
    const accessToken = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1MSJ9.c2ln";
    const get = { ...base, htm: "GET" };
    const ok = await makeProof(key, { ...get, accessToken });
    expect(await check(ok, { method: "GET", accessToken })).toMatchObject({ jkt: key.jkt });
    const wrong = await makeProof(key, { ...get, accessToken: `${accessToken}x` });
    expect(await failure(check(wrong, { method: "GET", accessToken }))).toEqual(refused("ath"));
    const missing = await makeProof(key, get);
    expect(await failure(check(missing, { method: "GET", accessToken }))).toEqual(refused("ath"));
  });

  it("refuses a key other than the bound one", async () => {
    const proof = await makeProof(other, base);
    expect(await failure(check(proof, { expectedJkt: key.jkt }))).toEqual(refused("key_mismatch"));
    expect(await check(await makeProof(key, base), { expectedJkt: key.jkt })).toMatchObject({ jkt: key.jkt });
  });

  it("demands a server nonce when nonces are on, answering use_dpop_nonce with a fresh one", async () => {
    const clock = new ManualClock(T0);
    const nonces = createDpopNonces({ key: new Uint8Array(32).fill(9), clock, periodMs: 60_000 });
    let caught: unknown;
    try {
      await check(await makeProof(key, base), { nonces });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DpopError);
    const nonce = (caught as DpopError).nonce as string;
    expect((caught as DpopError).code).toBe("use_dpop_nonce");
    expect(nonces.isValid(nonce)).toBe(true);
    expect(await check(await makeProof(key, { ...base, nonce }), { nonces })).toMatchObject({ jkt: key.jkt });
    expect(
      await failure(check(await makeProof(key, { ...base, nonce: `${nonce}x` }), { nonces })),
    ).toMatchObject({
      code: "use_dpop_nonce",
    });
  });
});

describe("createDpopNonces", () => {
  it("is stateless across instances sharing the key and expires after two periods", () => {
    const clock = new ManualClock(T0);
    const a = createDpopNonces({ key: new Uint8Array(32).fill(3), clock, periodMs: 60_000 });
    const b = createDpopNonces({ key: new Uint8Array(32).fill(3), clock, periodMs: 60_000 });
    const foreign = createDpopNonces({ key: new Uint8Array(32).fill(4), clock, periodMs: 60_000 });
    const nonce = a.current();
    expect(b.isValid(nonce)).toBe(true);
    expect(foreign.isValid(nonce)).toBe(false);
    clock.advance(60_000);
    expect(b.isValid(nonce)).toBe(true);
    clock.advance(60_000);
    expect(b.isValid(nonce)).toBe(false);
    expect(a.isValid(undefined)).toBe(false);
    expect(a.isValid("n1.zz.AAAA")).toBe(false);
  });
});

describe("normaliseHtu", () => {
  it("lower-cases scheme and host, drops the default port, query and fragment", () => {
    expect(normaliseHtu("HTTPS://Auth.Example.COM:443/a/b?x=1#y")).toBe("https://auth.example.com/a/b");
    expect(normaliseHtu("http://h:80/p")).toBe("http://h/p");
    expect(normaliseHtu("http://h:8080/p")).toBe("http://h:8080/p");
    expect(normaliseHtu("https://h/a/../b")).toBe("https://h/b");
  });
  it("refuses relative, non-http and credentialed URLs", () => {
    for (const bad of ["/p", "ftp://h/p", "https://u:p@h/p", "", "javascript:alert(1)"])
      expect(normaliseHtu(bad)).toBeNull();
  });
});
