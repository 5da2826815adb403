import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { type Instance, startInstances } from "../test-support/spawn-instance.js";
import { MASTER_KEY_HEX, STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";

// Three `tessera serve` processes on one PostgreSQL and one Redis; one refresh token is raced 50
// times, round-robin over the three. Once with grace 0 (exactly one winner, then reuse detection
// kills the family) and once with the default 10 s grace (every racer gets the same successor).

const RACERS = 50;

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())("refresh raced over 3 instances", () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let strictDb: string;
  let strict: Instance[] = [];
  let graceful: Instance[] = [];

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
    const common = {
      TESSERA_REDIS_URL: redis.url,
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_ISSUER: "http://auth.example.test",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
      TESSERA_TRUST_PROXY: "loopback",
    };
    let gracefulDb: string;
    [strictDb, gracefulDb] = await Promise.all([pg.createDatabase(), pg.createDatabase()]);
    [strict, graceful] = await Promise.all([
      startInstances(3, { ...common, TESSERA_DATABASE_URL: strictDb, TESSERA_REFRESH_GRACE: "0s" }),
      startInstances(3, { ...common, TESSERA_DATABASE_URL: gracefulDb }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...strict, ...graceful].map((instance) => instance.stop()));
    await redis?.stop();
    await pg?.stop();
  });

  /** Registers on instance 1 and logs in on instance 2; returns the session's tokens. */
  async function signIn(instances: Instance[], ip: string) {
    const [first, second] = instances;
    if (!first || !second) throw new Error("need two instances");
    const email = uniqueEmail("race");
    const register = await callInstance(first.url, "POST", "/auth/register", {
      json: { email, password: STRONG_PASSWORD },
      ip,
    });
    expect(register.status).toBe(201);
    const login = await callInstance(second.url, "POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      ip,
    });
    expect(login.status).toBe(200);
    expect(login.refresh).toBeDefined();
    return {
      refresh: login.refresh as string,
      csrf: login.body.csrf_token as string,
      userId: login.body.user.id as string,
    };
  }

  const race = (instances: Instance[], refresh: string, csrf: string, ip: string) =>
    Promise.all(
      Array.from({ length: RACERS }, (_, i) => {
        const instance = instances[i % instances.length] as Instance;
        return callInstance(instance.url, "POST", "/auth/refresh", {
          refresh,
          headers: { "x-csrf-token": csrf },
          ip,
        });
      }),
    );

  it("grace 0: exactly one of 50 wins, the rest are reuse and the family dies", async () => {
    const ip = freshClientIp();
    const { refresh, csrf, userId } = await signIn(strict, ip);
    const answers = await race(strict, refresh, csrf, ip);

    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 200);
    expect(losers.every((a) => a.status === 401)).toBe(true);
    for (const loser of losers) expect(["refresh_reused", "session_revoked"]).toContain(loser.body.error);
    expect(losers.some((a) => a.body.error === "refresh_reused")).toBe(true);

    // The family is revoked: the winner's successor and access token are dead on every instance.
    const winner = winners[0];
    expect(winner?.refresh).toBeDefined();
    for (const instance of strict) {
      const me = await callInstance(instance.url, "GET", "/auth/me", {
        bearer: winner?.body.access_token,
        ip,
      });
      expect(me.status).toBe(401);
    }
    const successor = await callInstance(strict[2]?.url ?? "", "POST", "/auth/refresh", {
      refresh: winner?.refresh as string,
      headers: { "x-csrf-token": csrf },
      ip,
    });
    expect(successor.status).toBe(401);
    expect(["refresh_reused", "session_revoked"]).toContain(successor.body.error);

    // The reuse is in the audit log of the shared database.
    const store = createPostgresStore({ connectionString: strictDb });
    try {
      const reuse = await store.listAudit({ userId, type: "refresh.reuse_detected" });
      expect(reuse.length).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it("default grace (10 s): all 50 get 200 and the same successor, which then refreshes fine", async () => {
    const ip = freshClientIp();
    const { refresh, csrf } = await signIn(graceful, ip);
    const answers = await race(graceful, refresh, csrf, ip);

    expect(answers.map((a) => a.status)).toEqual(Array(RACERS).fill(200));
    const successors = new Set(answers.map((a) => a.refresh));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(successor).toBeDefined();
    expect(successor).not.toBe(refresh);
    expect(new Set(answers.map((a) => a.body.csrf_token))).toEqual(new Set([csrf]));

    // Nobody is logged out: every racer's access token works, on any instance.
    const me = await Promise.all(
      answers.map((a, i) =>
        callInstance(graceful[i % 3]?.url ?? "", "GET", "/auth/me", { bearer: a.body.access_token, ip }),
      ),
    );
    expect(me.map((m) => m.status)).toEqual(Array(RACERS).fill(200));

    // The one live token rotates normally, and the rotation after it is single-use again.
    const next = await callInstance(graceful[1]?.url ?? "", "POST", "/auth/refresh", {
      refresh: successor as string,
      headers: { "x-csrf-token": csrf },
      ip,
    });
    expect(next.status).toBe(200);
    expect(next.refresh).toBeDefined();
    expect(next.refresh).not.toBe(successor);
    const after = await callInstance(graceful[2]?.url ?? "", "GET", "/auth/me", {
      bearer: next.body.access_token,
      ip,
    });
    expect(after.status).toBe(200);
  });
});
