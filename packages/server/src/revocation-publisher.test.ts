import type { Store } from "@tessera/core";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { createRedisClient, DEFAULT_KEY } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRevocationPublishing } from "./revocation-publisher.js";

// Regression (issue 14, point 2): logout-all and password change published only the user's new
// epoch; each revoked session reached Redis only through the relay's next pass, so a token minted
// for a revoked session under the new epoch passed a Redis-fed verifier meanwhile.

const NOW = Date.UTC(2030, 0, 1);

describe.skipIf(!redisTestsEnabled())("revocations pushed to Redis by the store wrapper", () => {
  let redis: TestRedis;
  let client: Redis;
  let store: Store;
  let published: Store;
  const errors: unknown[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    client = createRedisClient(redis.url);
    store = createSqliteStore({ path: ":memory:" });
    await store.migrate();
    published = withRevocationPublishing(store, client, (error) => errors.push(error));
  });
  afterAll(async () => {
    await store?.close();
    client?.disconnect();
    await redis?.stop();
  });

  /** A user with `count` live sessions; their ids. */
  async function seed(count: number): Promise<{ userId: string; sessionIds: string[] }> {
    const user = makeUser();
    await store.createUser(user);
    const sessionIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const session = makeSession(user.id);
      expect(await store.createSession(session, makeToken(session.id), 0)).toBe(true);
      sessionIds.push(session.id);
    }
    return { userId: user.id, sessionIds };
  }

  /** What the Redis log holds for `userId`, as `u:<epoch>` and `s:<sid>` (the relay never ran). */
  async function noticesOf(userId: string): Promise<string[]> {
    const log = await client.zrange(DEFAULT_KEY, 0, -1);
    return log
      .map((line) => JSON.parse(line) as { k: string; sub: string; sid?: string; epoch?: number })
      .filter((notice) => notice.sub === userId)
      .map((notice) => (notice.k === "u" ? `u:${notice.epoch}` : `s:${notice.sid}`))
      .sort();
  }

  it("logout-all publishes the new epoch and every revoked session before it returns", async () => {
    const { userId, sessionIds } = await seed(3);
    const { epoch } = await published.revokeUserSessions({ userId, now: NOW, reason: "logout_all" });
    expect(await noticesOf(userId)).toEqual([...sessionIds.map((sid) => `s:${sid}`), `u:${epoch}`].sort());
  });

  it("a credential change publishes the new epoch and every session it revoked, not the kept one", async () => {
    const { userId, sessionIds } = await seed(3);
    const [kept, ...others] = sessionIds;
    const result = await published.changeCredentials({
      userId,
      now: NOW,
      reason: "password_changed",
      passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA",
      ...(kept !== undefined ? { exceptSessionId: kept } : {}),
    });
    expect(result?.revokedSessionIds.sort()).toEqual([...others].sort());
    expect(await noticesOf(userId)).toEqual(
      [...others.map((sid) => `s:${sid}`), `u:${result?.epoch}`].sort(),
    );
    expect(
      await published.changeCredentials({ userId: makeUser().id, now: NOW, reason: "user_disabled" }),
    ).toBe(null);
    expect(errors).toEqual([]);
  });
});
