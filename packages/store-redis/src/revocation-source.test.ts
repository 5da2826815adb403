import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient } from "./client.js";
import { publishRevocation, type RevocationChannelOptions } from "./publish-revocation.js";
import { type RevocationSource, redisRevocationSource } from "./revocation-source.js";
import { RedisUnavailableError } from "./unavailable.js";

const NOW = Date.UTC(2030, 0, 1, 12);
const HOUR = 3_600_000;

/** Poll `check` until true, within a generous bound (not a timing assertion). */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (error) {
    return error instanceof RedisUnavailableError
      ? error.code
      : `not a RedisUnavailableError: ${String(error)}`;
  }
  return "resolved";
}

describe.skipIf(!redisTestsEnabled())("Redis revocation source", () => {
  let server: TestRedis;
  let redis: Redis;
  const sources: RevocationSource[] = [];
  /** Fresh channel and key per test, so tests sharing the server never see each other. */
  let names: RevocationChannelOptions;
  const source = (options: Partial<Parameters<typeof redisRevocationSource>[0]> = {}) => {
    const created = redisRevocationSource({ url: server.url, ...names, now: () => NOW, ...options });
    sources.push(created);
    return created;
  };
  /** A source that has subscribed and read the log (its first answer waits for that). */
  const readySource = async (options: Partial<Parameters<typeof redisRevocationSource>[0]> = {}) => {
    const created = source(options);
    await created.isRevoked({ sub: "nobody", sid: "none", iat: 0 });
    return created;
  };

  beforeAll(async () => {
    server = await startTestRedis();
    redis = createRedisClient(server.url);
  });
  afterEach(() => {
    for (const s of sources.splice(0)) s.close();
    names = { channel: `test:${crypto.randomUUID()}`, key: `test-log:${crypto.randomUUID()}` };
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  names = { channel: `test:${crypto.randomUUID()}`, key: `test-log:${crypto.randomUUID()}` };

  it("sees a user revocation pushed while running, and a source started later sees it too", async () => {
    const running = await readySource();
    const before = { sub: "usr_a", sid: "ses_a", iat: NOW / 1000 - 60, epoch: 4 };
    expect(await running.isRevoked(before)).toBe(false);

    expect(await publishRevocation(redis, { kind: "user", userId: "usr_a", epoch: 5, at: NOW }, names)).toBe(
      1,
    );

    await eventually(async () => (await running.isRevoked(before)) === true, 1_000);
    // Tokens issued under the new epoch, and other users' tokens, stay valid.
    expect(await running.isRevoked({ ...before, epoch: 5 })).toBe(false);
    expect(await running.isRevoked({ ...before, sub: "usr_b" })).toBe(false);

    const late = source();
    expect(await late.isRevoked(before)).toBe(true);
    expect(await late.isRevoked({ ...before, epoch: 5 })).toBe(false);
  });

  it("revokes one session, not the user's others", async () => {
    const running = await readySource();
    await publishRevocation(redis, { kind: "session", userId: "usr_s", sessionId: "ses_1", at: NOW }, names);
    const token = { sub: "usr_s", sid: "ses_1", iat: NOW / 1000, epoch: 0 };
    await eventually(async () => (await running.isRevoked(token)) === true);
    expect(await running.isRevoked({ ...token, sid: "ses_2" })).toBe(false);
    expect(await source().isRevoked(token)).toBe(true);
  });

  it("without an epoch claim, revokes tokens issued up to the revocation's second and no later", async () => {
    await publishRevocation(redis, { kind: "user", userId: "usr_i", epoch: 1, at: NOW + 400 }, names);
    const s = source();
    const second = NOW / 1000;
    expect(await s.isRevoked({ sub: "usr_i", sid: "x", iat: second - 1 })).toBe(true);
    // Same second as the revocation: cannot tell before from after, so revoked (the safe side).
    expect(await s.isRevoked({ sub: "usr_i", sid: "x", iat: second })).toBe(true);
    expect(await s.isRevoked({ sub: "usr_i", sid: "x", iat: second + 1 })).toBe(false);
  });

  it("never lowers an epoch: a replayed older notice does not revive tokens", async () => {
    const running = await readySource();
    await publishRevocation(redis, { kind: "user", userId: "usr_r", epoch: 7, at: NOW }, names);
    await publishRevocation(redis, { kind: "user", userId: "usr_r", epoch: 2, at: NOW - 1000 }, names);
    await redis.publish(names.channel!, "not json");
    await redis.publish(names.channel!, JSON.stringify({ v: 1, k: "u", sub: "usr_r", epoch: -1, at: NOW }));
    const token = { sub: "usr_r", sid: "s", iat: NOW / 1000, epoch: 6 };
    await eventually(async () => (await running.isRevoked(token)) === true);
    expect(await source().isRevoked(token)).toBe(true);
    expect(await running.isRevoked({ ...token, epoch: 7 })).toBe(false);
  });

  it("forgets notices older than the retention (their tokens have expired)", async () => {
    await publishRevocation(
      redis,
      { kind: "session", userId: "u", sessionId: "old", at: NOW - 2 * HOUR },
      names,
    );
    await publishRevocation(
      redis,
      { kind: "session", userId: "u", sessionId: "recent", at: NOW - 1000 },
      names,
    );
    const s = source({ retentionMs: HOUR });
    expect(await s.isRevoked({ sub: "u", sid: "recent", iat: 0 })).toBe(true);
    expect(await s.isRevoked({ sub: "u", sid: "old", iat: 0 })).toBe(false);
    // The publisher trimmed the log as well.
    expect(await redis.zcard(names.key!)).toBe(1);
  });

  it("with fetchInitial false, knows only what it receives", async () => {
    await publishRevocation(redis, { kind: "session", userId: "u", sessionId: "before", at: NOW }, names);
    const s = source({ fetchInitial: false });
    expect(await s.isRevoked({ sub: "u", sid: "before", iat: 0 })).toBe(false);
  });

  it("catches up from the log after its subscription was cut, even on messages it missed", async () => {
    const s = await readySource();
    const killer = new Redis(server.url);
    try {
      // Published right after the cut, before the subscriber reconnects (it waits 100 ms first).
      await killer.client("KILL", "TYPE", "pubsub");
      const receivers = await publishRevocation(
        redis,
        { kind: "session", userId: "u", sessionId: "missed", at: NOW },
        names,
      );
      expect(receivers).toBe(0);
      await eventually(async () => (await s.isRevoked({ sub: "u", sid: "missed", iat: 0 })) === true);
    } finally {
      killer.disconnect();
    }
  });

  it("fails closed while it has not been able to load (Redis unreachable at start)", async () => {
    const s = redisRevocationSource({ url: "redis://127.0.0.1:1", readyTimeoutMs: 200, ...names });
    sources.push(s);
    expect(await codeOf(() => s.isRevoked({ sub: "u", sid: "s", iat: 0 }))).toBe("store_unavailable");
  });

  it("with maxStalenessMs, fails closed once disconnected for longer than that", async () => {
    const own = await startTestRedis();
    let now = NOW;
    const s = redisRevocationSource({ url: own.url, ...names, now: () => now, maxStalenessMs: 5_000 });
    sources.push(s);
    try {
      const token = { sub: "u", sid: "s", iat: 0 };
      expect(await s.isRevoked(token)).toBe(false);
      await own.stop();
      now += 1_000;
      // Shortly after the loss it still answers from memory…
      await eventually(async () => {
        const code = await codeOf(() => s.isRevoked(token));
        now += 1_000;
        return code === "store_unavailable";
      });
      // …and it refused only after the allowed staleness had passed.
      expect(now - NOW).toBeGreaterThan(5_000);
    } finally {
      s.close();
    }
  });

  it("publishing rejects with store_unavailable when Redis is unreachable", async () => {
    const dead = createRedisClient("redis://127.0.0.1:1", { connectTimeoutMs: 200 });
    try {
      const notice = { kind: "user", userId: "u", epoch: 1, at: NOW } as const;
      expect(await codeOf(() => publishRevocation(dead, notice, names))).toBe("store_unavailable");
    } finally {
      dead.disconnect();
    }
  });

  it("works from an existing client and leaves that client open on close", async () => {
    const shared = createRedisClient(server.url);
    try {
      const s = redisRevocationSource({ client: shared, ...names, now: () => NOW });
      sources.push(s);
      await publishRevocation(
        shared,
        { kind: "session", userId: "u", sessionId: "via-client", at: NOW },
        names,
      );
      await eventually(async () => (await s.isRevoked({ sub: "u", sid: "via-client", iat: 0 })) === true);
      s.close();
      expect(await shared.ping()).toBe("PONG");
    } finally {
      shared.disconnect();
    }
  });

  it("rejects use after close", async () => {
    const s = await readySource();
    s.close();
    expect(await codeOf(() => s.isRevoked({ sub: "u", sid: "s", iat: 0 }))).toBe("store_unavailable");
  });
});
