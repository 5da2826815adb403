import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDpopProver } from "../../../client/src/dpop.js";
import {
  hs256Proof,
  makeProof,
  noneProof,
  type ProofOptions,
} from "../../../core/src/test-support/dpop-proofs.js";
import { buildServer } from "../build-server.js";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../open-store.js";
import { countingHasher } from "../test-support/counting-hasher.js";
import { useDpopServer } from "../test-support/dpop-server.js";
import { type CallResult, STRONG_PASSWORD, TEST_ENV, uniqueEmail } from "../test-support/test-server.js";
import { payloadOf } from "../test-support/token-payload.js";

// RFC 9449 over real HTTP, with proofs made by plain `jose` (never the project's own helper).

const dpop = useDpopServer("EdDSA");
const { url, me, refresh: refreshAt } = dpop;

async function registeredEmail(): Promise<string> {
  const email = uniqueEmail("dpop");
  expect(
    (await dpop.server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } })).status,
  ).toBe(201);
  return email;
}

async function boundLogin(): Promise<{ access: string; refresh: string }> {
  const res = await dpop.login(dpop.key);
  expect(res.status).toBe(200);
  expect(res.body.token_type).toBe("DPoP");
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

const meProof = (access: string, extra: Partial<ProofOptions> = {}, k = dpop.key) =>
  makeProof(k, { htm: "GET", htu: url("/auth/me"), accessToken: access, ...extra });

function expectProofRefused(res: CallResult, status: 400 | 401): void {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe("invalid_dpop_proof");
  if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
}

describe("DPoP end to end", () => {
  it("login with a proof binds the session; /auth/me and /oauth/token work with proofs of that key", async () => {
    const { access, refresh } = await boundLogin();
    expect(payloadOf(access).cnf).toEqual({ jkt: dpop.key.jkt });

    const ok = await me(access, await meProof(access));
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(payloadOf(access).sub);

    const rotated = await refreshAt(
      refresh,
      await makeProof(dpop.key, { htm: "POST", htu: url("/oauth/token") }),
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.token_type).toBe("DPoP");
    expect(rotated.headers.get("cache-control")).toContain("no-store");
    const next = rotated.body.access_token as string;
    expect(payloadOf(next).cnf).toEqual({ jkt: dpop.key.jkt });
    expect((await me(next, await meProof(next))).status).toBe(200);
  });

  it("a login without a proof stays Bearer; a proof with cookie delivery is refused", async () => {
    const email = await registeredEmail();
    const plain = await dpop.server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    });
    expect(plain.body.token_type).toBe("Bearer");
    expect(payloadOf(plain.body.access_token).cnf).toBeUndefined();
    // An unbound token cannot be presented under the DPoP scheme.
    const unbound = await me(plain.body.access_token, await meProof(plain.body.access_token));
    expect(unbound.status).toBe(401);
    expect(unbound.body.error).toBe("token_invalid");

    const cookie = await dpop.server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      headers: { dpop: await makeProof(dpop.key, { htm: "POST", htu: url("/auth/login") }) },
    });
    expect(cookie.status).toBe(400);
    expect(cookie.body.error).toBe("invalid_request");
  });

  it("a bound access token sent as plain Bearer is 401 with a DPoP invalid_token challenge", async () => {
    const { access } = await boundLogin();
    const res = await me(access, undefined, "Bearer");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("token_invalid");
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_token"/);
    // Even with a valid proof alongside: the scheme must be DPoP.
    expect((await me(access, await meProof(access), "Bearer")).status).toBe(401);
  });

  it("refuses every broken proof at a protected resource with 401 invalid_dpop_proof", async () => {
    const { access } = await boundLogin();
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string | undefined]> = [
      ["missing proof", undefined],
      ["wrong htm", await meProof(access, { htm: "POST" })],
      ["wrong htu", await meProof(access, { htu: url("/auth/sessions") })],
      ["stale iat", await meProof(access, { iat: now - 300 })],
      ["future iat", await meProof(access, { iat: now + 300 })],
      ["private jwk", await meProof(access, { header: { jwk: dpop.key.privateJwk } })],
      ["alg none", noneProof(dpop.key, { htm: "GET", htu: url("/auth/me"), accessToken: access })],
      ["HS256", await hs256Proof(dpop.key, { htm: "GET", htu: url("/auth/me"), accessToken: access })],
      ["wrong ath", await meProof(access, { accessToken: `${access}x` })],
      ["another key", await meProof(access, {}, dpop.thief)],
      ["wrong typ", await meProof(access, { header: { typ: "JWT" } })],
    ];
    for (const [name, proof] of cases) {
      const res = await me(access, proof);
      expect({ name, status: res.status, error: res.body.error }).toEqual({
        name,
        status: 401,
        error: "invalid_dpop_proof",
      });
      expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
    }
    // The same token with a good proof still works: nothing above spent anything.
    expect((await me(access, await meProof(access))).status).toBe(200);
  });

  it("refuses a replayed proof", async () => {
    const { access } = await boundLogin();
    const proof = await meProof(access);
    expect((await me(access, proof)).status).toBe(200);
    expectProofRefused(await me(access, proof), 401);
  });

  it("refuses broken proofs at the token endpoint with 400 invalid_dpop_proof, token unspent", async () => {
    const { refresh } = await boundLogin();
    const htu = url("/oauth/token");
    for (const proof of [
      await makeProof(dpop.key, { htm: "GET", htu }),
      await makeProof(dpop.key, { htm: "POST", htu: url("/oauth/revoke") }),
      await makeProof(dpop.key, { htm: "POST", htu, header: { jwk: dpop.key.privateJwk } }),
      await hs256Proof(dpop.key, { htm: "POST", htu }),
    ]) {
      expectProofRefused(await refreshAt(refresh, proof), 400);
    }
    const good = await makeProof(dpop.key, { htm: "POST", htu });
    expect((await refreshAt(refresh, good)).status).toBe(200);
    expectProofRefused(await refreshAt(refresh, good), 400);
  });

  it("a stolen bound refresh token is invalid_grant without the key, and the holder keeps refreshing", async () => {
    const { refresh } = await boundLogin();
    const htu = url("/oauth/token");
    const stolen = await refreshAt(refresh);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe("invalid_grant");
    const thiefProof = await makeProof(dpop.thief, { htm: "POST", htu });
    expect((await refreshAt(refresh, thiefProof)).body.error).toBe("invalid_grant");

    const holder = await refreshAt(refresh, await makeProof(dpop.key, { htm: "POST", htu }));
    expect(holder.status).toBe(200);
    const again = await refreshAt(holder.body.refresh_token, await makeProof(dpop.key, { htm: "POST", htu }));
    expect(again.status).toBe(200);
    const audit = await dpop.server.store.listAudit({ type: "refresh.reuse_detected" });
    const sid = payloadOf(holder.body.access_token).sid;
    expect(audit.filter((e) => e.sessionId === sid)).toEqual([]);
  });

  it("accepts proofs made by the client helper (@tessera/client/dpop) through a whole session", async () => {
    const prover = await createDpopProver();
    const email = await registeredEmail();
    const login = await dpop.server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
      headers: { dpop: await prover.proof("POST", url("/auth/login")) },
    });
    expect(payloadOf(login.body.access_token).cnf).toEqual({ jkt: prover.jkt });
    const access = login.body.access_token as string;
    const res = await me(access, await prover.proof("GET", url("/auth/me"), { accessToken: access }));
    expect(res.status).toBe(200);
    const rotated = await refreshAt(
      login.body.refresh_token,
      await prover.proof("POST", url("/oauth/token")),
    );
    expect(rotated.status).toBe(200);
  });

  it("publishes dpop_signing_alg_values_supported and lets CORS carry DPoP headers", async () => {
    const meta = await dpop.server.call("GET", "/.well-known/oauth-authorization-server");
    expect(meta.body.dpop_signing_alg_values_supported).toEqual([
      "ES256",
      "EdDSA",
      "Ed25519",
      "RS256",
      "PS256",
    ]);
    const preflight = await dpop.server.call("OPTIONS", "/oauth/token", {
      headers: {
        origin: "http://app.example.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "dpop",
      },
    });
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("dpop");
    const exposed = await dpop.server.call("GET", "/.well-known/oauth-authorization-server", {
      headers: { origin: "http://app.example.test" },
    });
    expect(exposed.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("dpop-nonce");
  });
});

describe("DPoP server nonces", () => {
  let base = "";
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    // Switched on the way operators do it: TESSERA_DPOP_NONCE=on.
    const config = loadConfig({ ...TEST_ENV, TESSERA_DPOP_NONCE: "on" });
    expect(config.dpopNonce).toBe(true);
    const store = openStore(config.database);
    await store.migrate();
    const app = await buildServer({
      config,
      store,
      passwordHasher: countingHasher(),
      logger: { level: "silent", stream: new Writable({ write: (_c, _e, cb) => cb() }) },
      processMetrics: false,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    base = `http://127.0.0.1:${address.port}`;
    close = async () => {
      await app.close();
      await store.close();
    };
  });
  afterAll(() => close());

  it("answers use_dpop_nonce with a DPoP-Nonce, and the retry with it works (login and resource)", async () => {
    const issuer = loadConfig(TEST_ENV).issuer.replace(/\/+$/, "");
    const email = uniqueEmail("nonce");
    const post = (path: string, init: RequestInit) => fetch(`${base}${path}`, { method: "POST", ...init });
    await post("/auth/register", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: STRONG_PASSWORD }),
    });
    const loginBody = JSON.stringify({ email, password: STRONG_PASSWORD, token_delivery: "body" });
    const json = { "content-type": "application/json" };
    const first = await post("/auth/login", {
      headers: { ...json, dpop: await makeProof(dpop.key, { htm: "POST", htu: `${issuer}/auth/login` }) },
      body: loginBody,
    });
    expect(first.status).toBe(400);
    expect(((await first.json()) as { error: string }).error).toBe("use_dpop_nonce");
    const nonce = first.headers.get("dpop-nonce");
    expect(nonce).toBeTruthy();

    const retry = await post("/auth/login", {
      headers: {
        ...json,
        dpop: await makeProof(dpop.key, { htm: "POST", htu: `${issuer}/auth/login`, nonce: nonce as string }),
      },
      body: loginBody,
    });
    expect(retry.status).toBe(200);
    const access = ((await retry.json()) as { access_token: string }).access_token;

    const resource = await fetch(`${base}/auth/me`, {
      headers: {
        authorization: `DPoP ${access}`,
        dpop: await makeProof(dpop.key, { htm: "GET", htu: `${issuer}/auth/me`, accessToken: access }),
      },
    });
    expect(resource.status).toBe(401);
    expect(resource.headers.get("www-authenticate")).toMatch(/^DPoP error="use_dpop_nonce"/);
    const fresh = resource.headers.get("dpop-nonce") as string;
    const ok = await fetch(`${base}/auth/me`, {
      headers: {
        authorization: `DPoP ${access}`,
        dpop: await makeProof(dpop.key, {
          htm: "GET",
          htu: `${issuer}/auth/me`,
          accessToken: access,
          nonce: fresh,
        }),
      },
    });
    expect(ok.status).toBe(200);
  });
});
