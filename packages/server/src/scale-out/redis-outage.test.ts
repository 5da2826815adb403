import { postgresTestsEnabled } from "@tessera/store-postgres/testing";
import type { RevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled } from "@tessera/store-redis/testing";
import { afterAll, describe, expect, it } from "vitest";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { expectLoginBudgetRunsOut, watchedLogin } from "../test-support/redis-verifier.js";
import { startRestartableRedis } from "../test-support/restartable-redis.js";
import { msUntilRefused } from "../test-support/revocation-wait.js";
import type { Instance } from "../test-support/spawn-instance.js";
import { STRONG_PASSWORD } from "../test-support/test-server.js";
import { useCluster } from "../test-support/use-cluster.js";

// Redis is a cache and a broadcast, never the system of record: while it is down, logins and
// revocations still work (PostgreSQL decides), rate limits are counted per instance instead of
// switched off, and a revocation made meanwhile reaches Redis-attached verifiers once it is back.

const ISSUER = "http://auth.example.test";
const LOGIN_LIMIT = 3;
const CATCH_UP_LIMIT_MS = 10_000;

describe.skipIf(
  !postgresTestsEnabled() || !redisTestsEnabled() || Boolean(process.env.TESSERA_TEST_REDIS_URL),
)("Redis outage under 2 instances", () => {
  const cluster = useCluster({
    instances: 2,
    redis: startRestartableRedis,
    env: {
      TESSERA_ISSUER: ISSUER,
      TESSERA_RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/15m`,
      TESSERA_TRUST_PROXY: "loopback",
    },
  });
  let revocation: RevocationSource | undefined;
  afterAll(() => revocation?.close());

  it("logins and revocations keep working, limits hold per instance, verifiers catch up after", async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const watched = await watchedLogin(a, b, cluster.redis.url, ISSUER, "redis-outage");
    revocation = watched.revocation;
    const { email, access: token, verifier, userId } = watched;

    await cluster.redis.halt();

    // Logins do not depend on Redis.
    const during = await callInstance(a.url, "POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      ip: freshClientIp(),
    });
    expect(during.status).toBe(200);

    // The failed-login budget is counted in each instance's memory: it still runs out on A.
    await expectLoginBudgetRunsOut(a.url, email, LOGIN_LIMIT);

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
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: userId });

    await cluster.redis.resume();
    const back = performance.now();
    const caughtUp = await msUntilRefused(verifier, token, back, CATCH_UP_LIMIT_MS, 20);
    expect(caughtUp.code).toBe("token_revoked");
    console.info(
      `[scale-out] Redis back → the revocation made during the outage reached the verifier in ${(performance.now() - back).toFixed(0)} ms`,
    );
  });
});
