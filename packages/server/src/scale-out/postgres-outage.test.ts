import { postgresTestsEnabled, type TestPostgres } from "@tessera/store-postgres/testing";
import { redisTestsEnabled, startTestRedis } from "@tessera/store-redis/testing";
import { describe, expect, it } from "vitest";
import { callInstance, freshClientIp, type InstanceAnswer } from "../test-support/instance-call.js";
import type { Instance } from "../test-support/spawn-instance.js";
import { STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";
import { useCluster } from "../test-support/use-cluster.js";

// PostgreSQL stopped under two running instances: they fail closed (503 store_unavailable, never a
// token, never a 500) and recover by themselves once it is back, with nothing lost or consumed.
// Grace is 0 so that a refresh token consumed during the outage could not hide behind the grace
// window afterwards.

const RECOVERY_LIMIT_MS = 15_000;

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())(
  "PostgreSQL outage under 2 instances",
  () => {
    const cluster = useCluster({
      instances: 2,
      redis: startTestRedis,
      env: {
        TESSERA_ISSUER: "http://auth.example.test",
        TESSERA_REFRESH_GRACE: "0s",
        TESSERA_RATE_LIMIT_LOGIN: "3/15m",
        TESSERA_TRUST_PROXY: "loopback",
      },
    });

    const expectStoreUnavailable = (res: InstanceAnswer) => {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: "store_unavailable" });
      expect(res.body.access_token).toBeUndefined();
      // A failed refresh must not clear the cookie either: the session is still good.
      expect(res.headers.getSetCookie()).toEqual([]);
    };

    it("fails closed while PostgreSQL is down and resumes without a restart, losing nothing", async (ctx) => {
      if (!cluster.pg.outage) ctx.skip(); // an external server given by URL cannot be stopped
      const outage = cluster.pg.outage as NonNullable<TestPostgres["outage"]>;
      const [a, b] = cluster.instances as [Instance, Instance];
      const ip = freshClientIp();
      const email = uniqueEmail("outage");
      expect(
        (
          await callInstance(a.url, "POST", "/auth/register", {
            json: { email, password: STRONG_PASSWORD },
            ip,
          })
        ).status,
      ).toBe(201);
      const login = await callInstance(b.url, "POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        ip,
      });
      expect(login.status).toBe(200);
      const refresh = login.refresh as string;
      const csrf = login.body.csrf_token as string;
      const access = login.body.access_token as string;

      await outage.halt();
      try {
        for (const instance of cluster.instances) {
          expect((await callInstance(instance.url, "GET", "/healthz")).status).toBe(200);
          expectStoreUnavailable(await callInstance(instance.url, "GET", "/readyz"));
          expectStoreUnavailable(
            await callInstance(instance.url, "POST", "/auth/refresh", {
              refresh,
              headers: { "x-csrf-token": csrf },
              ip,
            }),
          );
          expectStoreUnavailable(await callInstance(instance.url, "GET", "/auth/me", { bearer: access, ip }));
          // A logout that cannot be recorded must not pretend to have worked (nor drop the cookie).
          expectStoreUnavailable(
            await callInstance(instance.url, "POST", "/auth/logout", {
              refresh,
              headers: { "x-csrf-token": csrf },
              ip,
            }),
          );
          expectStoreUnavailable(
            await callInstance(instance.url, "POST", "/auth/register", {
              json: { email: uniqueEmail("during-outage"), password: STRONG_PASSWORD },
              ip: freshClientIp(),
            }),
          );
          // More attempts than the failed-login budget (3): none of them may spend it.
          for (let i = 0; i < 2; i++) {
            expectStoreUnavailable(
              await callInstance(instance.url, "POST", "/auth/login", {
                json: { email, password: STRONG_PASSWORD },
                ip,
              }),
            );
          }
        }
      } finally {
        await outage.resume();
      }

      // Both instances come back on their own (the pool opens fresh connections).
      const started = performance.now();
      for (const instance of cluster.instances) {
        for (;;) {
          if ((await callInstance(instance.url, "GET", "/readyz")).status === 200) break;
          if (performance.now() - started > RECOVERY_LIMIT_MS) throw new Error("not ready again after 15 s");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      console.info(
        `[scale-out] PostgreSQL back → both instances ready in ${(performance.now() - started).toFixed(0)} ms`,
      );

      // The access token from before the outage still works, and the refresh token was not consumed
      // by the refreshes that failed (with grace 0, a consumed one would now be reuse).
      expect((await callInstance(a.url, "GET", "/auth/me", { bearer: access, ip })).status).toBe(200);
      const rotated = await callInstance(a.url, "POST", "/auth/refresh", {
        refresh,
        headers: { "x-csrf-token": csrf },
        ip,
      });
      expect(rotated.status).toBe(200);
      expect(rotated.refresh).toBeDefined();
      expect(
        (await callInstance(b.url, "GET", "/auth/me", { bearer: rotated.body.access_token, ip })).status,
      ).toBe(200);
      // Logins work again, and the outage spent none of the failed-login budget.
      expect(
        (
          await callInstance(b.url, "POST", "/auth/login", {
            json: { email, password: "wrong password" },
            ip,
          })
        ).status,
      ).toBe(401);
      expect(
        (await callInstance(a.url, "POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, ip }))
          .status,
      ).toBe(200);
    });
  },
);
