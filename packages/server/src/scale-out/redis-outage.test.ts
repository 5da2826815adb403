import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled } from "@tessera/store-redis/testing";
import { createVerifier } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { type RestartableRedis, startRestartableRedis } from "../test-support/restartable-redis.js";
import { msUntilRefused } from "../test-support/revocation-wait.js";
import { type Instance, startInstances } from "../test-support/spawn-instance.js";
import { MASTER_KEY_HEX, STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";

// Redis is a cache and a broadcast, never the system of record: while it is down, logins and
// revocations still work (PostgreSQL decides), rate limits are counted per instance instead of
// switched off, and a revocation made meanwhile reaches Redis-attached verifiers once it is back.

const ISSUER = "http://auth.example.test";
const LOGIN_LIMIT = 3;
const CATCH_UP_LIMIT_MS = 10_000;

describe.skipIf(
  !postgresTestsEnabled() || !redisTestsEnabled() || Boolean(process.env.TESSERA_TEST_REDIS_URL),
)("Redis outage under 2 instances", () => {
  let pg: TestPostgres;
  let redis: RestartableRedis;
  let instances: Instance[] = [];
  let revocation: RevocationSource | undefined;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startTestPostgres(), startRestartableRedis()]);
    instances = await startInstances(2, {
      TESSERA_DATABASE_URL: await pg.createDatabase(),
      TESSERA_REDIS_URL: redis.url,
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_ISSUER: ISSUER,
      TESSERA_RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/15m`,
      TESSERA_TRUST_PROXY: "loopback",
    });
  }, 60_000);

  afterAll(async () => {
    revocation?.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
    await pg?.stop();
  });

  it("logins and revocations keep working, limits hold per instance, verifiers catch up after", async () => {
    const [a, b] = instances as [Instance, Instance];
    const email = uniqueEmail("redis-outage");
    const register = await callInstance(a.url, "POST", "/auth/register", {
      json: { email, password: STRONG_PASSWORD },
      ip: freshClientIp(),
    });
    expect(register.status).toBe(201);
    const login = await callInstance(b.url, "POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      ip: freshClientIp(),
    });
    const token = login.body.access_token as string;
    revocation = redisRevocationSource({ url: redis.url });
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: "tessera",
      jwksUri: `${a.url}/.well-known/jwks.json`,
      revocation,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: login.body.user.id });

    await redis.halt();

    // Logins do not depend on Redis.
    const during = await callInstance(a.url, "POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      ip: freshClientIp(),
    });
    expect(during.status).toBe(200);

    // The failed-login budget is counted in each instance's memory: it still runs out on A.
    const attacker = freshClientIp();
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_LIMIT; i++) {
      const res = await callInstance(a.url, "POST", "/auth/login", {
        json: { email, password: `wrong ${i}` },
        ip: attacker,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(LOGIN_LIMIT).fill(401), 429]);

    // Logout-all commits in PostgreSQL: the auth server's own Bearer check rejects the token at once.
    const logoutAll = await callInstance(b.url, "POST", "/auth/logout-all", {
      bearer: during.body.access_token,
      ip: freshClientIp(),
    });
    expect(logoutAll.status).toBe(204);
    expect(
      (await callInstance(a.url, "GET", "/auth/me", { bearer: token, ip: freshClientIp() })).status,
    ).toBe(401);
    // A Redis-attached verifier keeps its last known state meanwhile (the documented gap).
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: login.body.user.id });

    await redis.resume();
    const back = performance.now();
    const caughtUp = await msUntilRefused(verifier, token, back, CATCH_UP_LIMIT_MS, 20);
    expect(caughtUp.code).toBe("token_revoked");
    console.info(
      `[scale-out] Redis back → the revocation made during the outage reached the verifier in ${(performance.now() - back).toFixed(0)} ms`,
    );
  });
});
