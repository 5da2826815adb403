import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { DEFAULT_CHANNEL } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REFRESH_COOKIE } from "./http/refresh-cookie.js";
import { CookieJar } from "./test-support/cookie-jar.js";
import {
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "./test-support/test-server.js";

// Two stateless instances on one PostgreSQL database and one Redis: any instance serves any
// request, a refresh is single-use across instances, and rate-limit counters are shared.
describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())(
  "two instances on PostgreSQL + Redis",
  () => {
    let pg: TestPostgres;
    let redis: TestRedis;
    let a: TestServer;
    let b: TestServer;

    beforeAll(async () => {
      [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
      const env = {
        TESSERA_DATABASE_URL: await pg.createDatabase(),
        TESSERA_REDIS_URL: redis.url,
        TESSERA_RATE_LIMIT_LOGIN: "3/15m",
        TESSERA_REFRESH_GRACE: "0s",
      };
      a = await startTestServer(env);
      b = await startTestServer(env);
    }, 60_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
      await pg?.stop();
    });

    it("a login on one instance is served by the other; a refresh spent on A is reuse on B", async () => {
      const email = uniqueEmail();
      expect(
        (await a.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } })).status,
      ).toBe(201);
      const jar = new CookieJar();
      const login = await b.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, jar });
      expect(login.status).toBe(200);
      expect((await a.call("GET", "/auth/me", { bearer: login.body.access_token })).status).toBe(200);

      const csrf = login.body.csrf_token as string;
      const spent = jar.get(REFRESH_COOKIE);
      const rotated = await a.call("POST", "/auth/refresh", { jar, headers: { "x-csrf-token": csrf } });
      expect(rotated.status).toBe(200);
      const replay = new CookieJar();
      if (spent) replay.set(spent);
      const reuse = await b.call("POST", "/auth/refresh", { jar: replay, headers: { "x-csrf-token": csrf } });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error).toBe("refresh_reused");
      expect((await a.call("GET", "/auth/me", { bearer: rotated.body.access_token })).status).toBe(401);
    });

    it("failed logins counted on one instance are refused on the other (shared Redis counters)", async () => {
      const email = uniqueEmail();
      await a.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
      for (const instance of [a, b, a]) {
        expect(
          (await instance.call("POST", "/auth/login", { json: { email, password: "wrong password" } }))
            .status,
        ).toBe(401);
      }
      const blocked = await b.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    });

    it("pushes every revocation to Redis pub/sub for verifiers attached there", async () => {
      const subscriber = new Redis(redis.url);
      const received: Array<Record<string, unknown>> = [];
      try {
        await subscriber.subscribe(DEFAULT_CHANNEL);
        subscriber.on("message", (_channel: string, message: string) => {
          received.push(JSON.parse(message) as Record<string, unknown>);
        });
        const email = uniqueEmail();
        await a.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
        const jar = new CookieJar();
        const login = await b.call("POST", "/auth/login", {
          json: { email, password: STRONG_PASSWORD },
          jar,
        });
        const sub = login.body.user.id as string;
        await a.call("POST", "/auth/logout", { jar, headers: { "x-csrf-token": login.body.csrf_token } });
        const second = await a.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
        await b.call("POST", "/auth/logout-all", { bearer: second.body.access_token });
        await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
        expect(received).toContainEqual(expect.objectContaining({ k: "s", sub, sid: expect.any(String) }));
        expect(received).toContainEqual(expect.objectContaining({ k: "u", sub, epoch: expect.any(Number) }));
      } finally {
        subscriber.disconnect();
      }
    });

    it("readyz reports the shared database", async () => {
      expect((await a.call("GET", "/readyz")).status).toBe(200);
      expect((await b.call("GET", "/readyz")).status).toBe(200);
    });
  },
);
