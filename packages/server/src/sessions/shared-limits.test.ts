import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRedis } from "../open-redis.js";
import { APP_ORIGIN, type SessionApp, startSessionApp } from "../test-support/session-app.js";

// `limits.redis`: the failed-login budget is one budget for every instance, not one each.
describe.skipIf(!redisTestsEnabled())("sessionAuth login limits shared through Redis", () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const apps: SessionApp[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    const store = createSqliteStore({ path: ":memory:" });
    for (let i = 0; i < 2; i++) {
      const client = await openRedis(redis.url);
      clients.push(client);
      apps.push(await startSessionApp({ store, auth: { limits: { login: "3/15m", redis: client } } }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  it("three failures spread over two instances spend the one budget", async () => {
    const attempt = (app: SessionApp) =>
      app.app.inject({
        method: "POST",
        url: "/login",
        headers: { origin: APP_ORIGIN },
        payload: { email: "user@example.com", password: "wrong password" },
      });
    const [a, b] = apps as [SessionApp, SessionApp];
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(401);
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(429);
    expect((await attempt(a)).statusCode).toBe(429);
  });
});
