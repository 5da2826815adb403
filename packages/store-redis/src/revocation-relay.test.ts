import type { Store } from "@tessera/core";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRedisClient } from "./client.js";
import { type RevocationRelay, startRevocationRelay } from "./revocation-relay.js";
import { type RevocationSource, redisRevocationSource } from "./revocation-source.js";

const NOW = Date.UTC(2030, 0, 1, 12);
const HOUR = 3_600_000;

async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function seed(store: Store, userId: string, sessionIds: string[]): Promise<void> {
  await store.createUser(makeUser({ id: userId, email: `${userId}@example.test`, createdAt: NOW }));
  for (const id of sessionIds) {
    await store.createSession(
      makeSession(userId, { id, createdAt: NOW - 2 * HOUR, expiresAt: NOW + HOUR, lastUsedAt: NOW }),
      makeToken(id, { id: `${id}_rt`, createdAt: NOW, expiresAt: NOW + HOUR }),
      0,
    );
  }
}

// The relay reads a real store's feed (SQLite in memory) and writes to a real Redis.
describe.skipIf(!redisTestsEnabled())("revocation relay: store feed → Redis", () => {
  let server: TestRedis;
  let redis: Redis;
  let store: Store;
  let names: { channel: string; key: string };
  const closers: Array<RevocationRelay | RevocationSource> = [];

  beforeAll(async () => {
    server = await startTestRedis();
    redis = createRedisClient(server.url);
  });
  beforeEach(async () => {
    store = createSqliteStore({ path: ":memory:" });
    await store.migrate();
    names = { channel: `relay:${crypto.randomUUID()}`, key: `relay-log:${crypto.randomUUID()}` };
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) c.close();
    await store.close();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it("replays recent events at start, skips expired ones, and forwards new ones", async () => {
    await seed(store, "usr_1", ["ses_old", "ses_recent", "ses_new"]);
    await store.revokeSession("ses_old", NOW - 2 * HOUR, "logout");
    await store.revokeSession("ses_recent", NOW - 1000, "logout");

    const relay = startRevocationRelay({ store, redis, ...names, now: () => NOW, intervalMs: 20 });
    closers.push(relay);
    const source = redisRevocationSource({ url: server.url, ...names, now: () => NOW });
    closers.push(source);

    const token = (sid: string, epoch = 0) => ({ sub: "usr_1", sid, iat: NOW / 1000 - 10, epoch });
    await eventually(async () => (await source.isRevoked(token("ses_recent"))) === true);
    expect(await source.isRevoked(token("ses_old"))).toBe(false);
    expect(await source.isRevoked(token("ses_new"))).toBe(false);

    // Revoked in the store only; nobody published it directly.
    await store.revokeUserSessions({ userId: "usr_1", now: NOW, reason: "logout_all" });
    // The session notices and the user notice are separate messages; either may arrive first.
    await eventually(async () => (await source.isRevoked(token("ses_new"))) === true);
    await eventually(async () => (await source.isRevoked(token("ses_other", 0))) === true);
    expect(await source.isRevoked(token("ses_other", 1))).toBe(false);
  });

  it("publishes each event once per relay and nothing when the feed is idle", async () => {
    await seed(store, "usr_2", ["ses_a", "ses_b"]);
    const relay = startRevocationRelay({ store, redis, ...names, now: () => NOW, intervalMs: 60_000 });
    closers.push(relay);
    // Queued behind the start-up pass, so the feed is drained before the revocations below.
    expect(await relay.sync()).toBe(0);
    await store.revokeSession("ses_a", NOW, "logout");
    await store.revokeSession("ses_b", NOW, "logout");
    expect(await relay.sync()).toBe(2);
    expect(await relay.sync()).toBe(0);
    expect(await redis.zcard(names.key)).toBe(2);
  });
});
