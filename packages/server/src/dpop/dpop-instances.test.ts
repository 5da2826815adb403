import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createVerifier, verifyRequest } from "@tessera/verify";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { loginWithProof } from "../test-support/dpop-server.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

// The DPoP replay cache is shared by every instance: a proof spent on one is refused on another.
// Without Redis it lives in PostgreSQL; with Redis configured, in Redis. Proofs made by plain jose.

async function boundLogin(server: TestServer, key: ProofKey): Promise<{ access: string; refresh: string }> {
  const res = await loginWithProof(server, key);
  expect(res.body.token_type).toBe("DPoP");
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

async function expectSharedReplayCache(a: TestServer, b: TestServer, key: ProofKey): Promise<void> {
  const { access, refresh } = await boundLogin(a, key);
  const issuer = a.config.issuer;
  const proof = await makeProof(key, { htm: "GET", htu: `${issuer}/auth/me`, accessToken: access });
  const headers = { authorization: `DPoP ${access}`, dpop: proof };
  expect((await a.call("GET", "/auth/me", { headers })).status).toBe(200);
  const replay = await b.call("GET", "/auth/me", { headers });
  expect(replay.status).toBe(401);
  expect(replay.body.error).toBe("invalid_dpop_proof");
  // B itself accepts a fresh proof for the same token: only the replay was refused.
  const fresh = await makeProof(key, { htm: "GET", htu: `${issuer}/auth/me`, accessToken: access });
  expect((await b.call("GET", "/auth/me", { headers: { ...headers, dpop: fresh } })).status).toBe(200);

  const tokenProof = await makeProof(key, { htm: "POST", htu: `${issuer}/oauth/token` });
  const form = { grant_type: "refresh_token", refresh_token: refresh };
  expect((await b.call("POST", "/oauth/token", { form, headers: { dpop: tokenProof } })).status).toBe(200);
  const again = await a.call("POST", "/oauth/token", { form, headers: { dpop: tokenProof } });
  expect(again.status).toBe(400);
  expect(again.body.error).toBe("invalid_dpop_proof");
}

async function dpopRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>("SELECT count(*) AS n FROM tessera_dpop_jtis");
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresTestsEnabled())("DPoP across instances", () => {
  let postgres: TestPostgres;
  let redis: TestRedis | undefined;
  let key: ProofKey;
  let thief: ProofKey;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    [postgres, key, thief] = await Promise.all([startTestPostgres(), proofKey("ES256"), proofKey("EdDSA")]);
    if (redisTestsEnabled()) redis = await startTestRedis();
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.close();
    await redis?.stop();
    await postgres?.stop();
  });

  it("two instances on one PostgreSQL share the replay cache in the database", async () => {
    const url = await postgres.createDatabase();
    const [a, b] = [
      await startTestServer({ TESSERA_DATABASE_URL: url }),
      await startTestServer({ TESSERA_DATABASE_URL: url }),
    ];
    servers.push(a, b);
    await expectSharedReplayCache(a, b, key);
    expect(await dpopRows(url)).toBeGreaterThan(0);
  });

  it.skipIf(!redisTestsEnabled())("with Redis configured, the replay cache lives in Redis", async () => {
    const url = await postgres.createDatabase();
    const env = { TESSERA_DATABASE_URL: url, TESSERA_REDIS_URL: (redis as TestRedis).url };
    const [a, b] = [await startTestServer(env), await startTestServer(env)];
    servers.push(a, b);
    await expectSharedReplayCache(a, b, key);
    expect(await dpopRows(url)).toBe(0);
    const client = new Redis((redis as TestRedis).url);
    try {
      expect((await client.keys("tessera-dpop:*")).length).toBeGreaterThan(0);
      const [first] = await client.keys("tessera-dpop:*");
      const ttl = await client.pttl(first as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(180_000);
    } finally {
      client.disconnect();
    }
  });

  it("a resource server using @tessera/verify accepts the bound token only with a proof", async () => {
    const url = await postgres.createDatabase();
    const server = await startTestServer({ TESSERA_DATABASE_URL: url });
    servers.push(server);
    const { access, refresh } = await boundLogin(server, key);
    const verifier = createVerifier({
      issuer: server.config.issuer,
      audience: server.config.audience,
      jwksUri: `${server.url}/.well-known/jwks.json`,
    });
    const api = "https://api.example.com/orders";
    const call = async (authorization: string, dpop?: string) =>
      verifyRequest(
        verifier,
        new Request(api, { headers: { authorization, ...(dpop === undefined ? {} : { dpop }) } }),
        { baseUrl: "https://api.example.com" },
      ).then(
        (claims) => claims.sub,
        (error: { code?: string }) => error.code,
      );
    const proof = await makeProof(key, { htm: "GET", htu: api, accessToken: access });
    const sub = await call(`DPoP ${access}`, proof);
    expect(sub).toMatch(/^[0-9a-zA-Z_-]{8,}$/);
    expect(sub).not.toBe("dpop_proof_invalid");
    expect(await call(`DPoP ${access}`, proof)).toBe("dpop_proof_invalid");
    expect(await call(`Bearer ${access}`)).toBe("dpop_required");
    expect(
      await call(`DPoP ${access}`, await makeProof(thief, { htm: "GET", htu: api, accessToken: access })),
    ).toBe("dpop_proof_invalid");

    // A token from a DPoP refresh at /oauth/token is bound to the same key and accepted the same way.
    const rotated = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
      headers: { dpop: await makeProof(key, { htm: "POST", htu: `${server.config.issuer}/oauth/token` }) },
    });
    const next = rotated.body.access_token as string;
    expect(
      await call(`DPoP ${next}`, await makeProof(key, { htm: "GET", htu: api, accessToken: next })),
    ).toBe(sub);
    verifier.close();
  });
});
