import rateLimit from "@fastify/rate-limit";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import Fastify, { type FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient } from "./client.js";

describe.skipIf(!redisTestsEnabled())("createRedisClient", () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function limitedApp(redis: Redis, nameSpace: string): Promise<FastifyInstance> {
    const app = Fastify();
    await app.register(rateLimit, { redis, max: 3, timeWindow: 60_000, nameSpace });
    app.get("/", async () => "ok");
    await app.ready();
    return app;
  }

  it("lets @fastify/rate-limit on two instances count against one shared limit", async () => {
    const nameSpace = `tessera-test-rl-${crypto.randomUUID()}:`;
    const clients = [createRedisClient(server.url), createRedisClient(server.url)];
    const [a, b] = await Promise.all(clients.map((c) => limitedApp(c, nameSpace)));
    try {
      const statuses: number[] = [];
      for (const app of [a!, b!, a!, b!, a!]) statuses.push((await app.inject("/")).statusCode);
      // Three allowed in total, not three per instance.
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
      for (const client of clients) client.disconnect();
    }
  });

  it("fails a command fast instead of hanging when Redis is unreachable", async () => {
    const client = createRedisClient("redis://127.0.0.1:1", { connectTimeoutMs: 200 });
    try {
      await expect(client.ping()).rejects.toThrow();
    } finally {
      client.disconnect();
    }
  });
});
