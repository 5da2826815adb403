import { createRedisClient } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryWindowCounter, redisWindowCounter, type WindowCounter } from "./window-counter.js";

const RULE = { max: 5, windowMs: 60_000 };

/** Behaviour every counter shares; `fresh` gives a counter and a key no other case uses. */
function sharedCases(fresh: () => { counter: WindowCounter; key: string }) {
  it("of 20 concurrent attempts exactly `max` are allowed (check after increment)", async () => {
    const { counter, key } = fresh();
    const answers = await Promise.all(Array.from({ length: 20 }, () => counter.reserve(key, RULE)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(RULE.max);
    for (const refused of answers.filter((a) => !a.allowed)) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(RULE.windowMs);
    }
  });

  it("a released attempt is given back once; a refused one left no mark", async () => {
    const { counter, key } = fresh();
    const first = await counter.reserve(key, RULE);
    for (let i = 1; i < RULE.max; i++) expect((await counter.reserve(key, RULE)).allowed).toBe(true);
    const refused = await counter.reserve(key, RULE);
    expect(refused.allowed).toBe(false);
    await refused.release(); // must not free a slot
    expect((await counter.reserve(key, RULE)).allowed).toBe(false);
    await first.release();
    await first.release(); // twice gives back only one
    expect((await counter.reserve(key, RULE)).allowed).toBe(true);
    expect((await counter.reserve(key, RULE)).allowed).toBe(false);
  });

  it("clear deletes exactly the windows matching a pattern (`*` any text, the rest literal)", async () => {
    const { counter, key } = fresh();
    for (const suffix of [":a.1", ":b.1", ":a.2"]) {
      for (let i = 0; i < RULE.max; i++) await counter.add(`${key}${suffix}`, RULE);
    }
    expect(await counter.clear([`${key}:*.1`, `${key}:a?2`])).toBe(2);
    expect((await counter.reserve(`${key}:a.1`, RULE)).allowed).toBe(true);
    expect((await counter.reserve(`${key}:b.1`, RULE)).allowed).toBe(true);
    expect((await counter.reserve(`${key}:a.2`, RULE)).allowed).toBe(false);
  });

  it("add counts a failure without a reservation; keys are independent", async () => {
    const { counter, key } = fresh();
    for (let i = 0; i < RULE.max; i++) await counter.add(key, RULE);
    expect((await counter.reserve(key, RULE)).allowed).toBe(false);
    expect((await counter.reserve(`${key}-other`, RULE)).allowed).toBe(true);
  });
}

describe("memoryWindowCounter", () => {
  let n = 0;
  sharedCases(() => ({ counter: memoryWindowCounter(), key: `k${++n}` }));

  it("opens a new window after windowMs; a release never reaches into the next window", async () => {
    let now = 1_000;
    const counter = memoryWindowCounter({ now: () => now });
    const held = await counter.reserve("k", RULE);
    for (let i = 1; i < RULE.max; i++) await counter.reserve("k", RULE);
    const refused = await counter.reserve("k", RULE);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: RULE.windowMs });
    now += RULE.windowMs;
    for (let i = 0; i < RULE.max; i++) expect((await counter.reserve("k", RULE)).allowed).toBe(true);
    await held.release();
    expect((await counter.reserve("k", RULE)).allowed).toBe(false);
  });

  it("keeps at most maxKeys windows per prefix, dropping the oldest live request window", async () => {
    const counter = memoryWindowCounter({ maxKeys: 2 });
    for (let i = 0; i < RULE.max; i++) await counter.add("ip:old", RULE);
    await counter.add("ip:b", RULE);
    await counter.add("ip:c", RULE);
    expect((await counter.reserve("ip:old", RULE)).allowed).toBe(true);
  });

  // Regression (issue 14.4): 50,500 requests from distinct addresses evicted a live lock-out.
  it("never evicts a live failure window: a flood of distinct keys past the cap leaves a lock-out in place", async () => {
    let now = 1_000;
    const counter = memoryWindowCounter({ maxKeys: 100, now: () => now });
    const lockout = { max: 3, windowMs: 900_000, failClosed: true };
    for (let i = 0; i < lockout.max; i++) await counter.add("fail:victim:10.0.0.1", lockout);
    expect((await counter.reserve("fail:victim:10.0.0.1", lockout)).allowed).toBe(false);
    for (let i = 0; i < 300; i++) {
      await counter.reserve(`ip:10.1.${i >> 8}.${i & 255}`, RULE);
      await counter.reserve(`register:10.1.${i >> 8}.${i & 255}`, RULE);
      await counter.add(`fail:spray${i}:10.2.0.1`, lockout);
    }
    expect((await counter.reserve("fail:victim:10.0.0.1", lockout)).allowed).toBe(false);
    // A new failure window while the table is full of live ones is refused (fail closed)…
    const full = await counter.reserve("fail:newcomer:10.3.0.1", lockout);
    expect(full.allowed).toBe(false);
    expect(full.retryAfterMs).toBeGreaterThan(0);
    // …and expired windows are the first to go.
    now += lockout.windowMs;
    expect((await counter.reserve("fail:newcomer:10.3.0.1", lockout)).allowed).toBe(true);
  });

  it("a released attempt frees its slot: successes never fill a fail-closed prefix", async () => {
    const counter = memoryWindowCounter({ maxKeys: 10 });
    const lockout = { max: 3, windowMs: 900_000, failClosed: true };
    for (let i = 0; i < 50; i++) await (await counter.reserve(`fail:user${i}:10.0.0.1`, lockout)).release();
    expect((await counter.reserve("fail:last:10.0.0.1", lockout)).allowed).toBe(true);
  });
});

describe.skipIf(!redisTestsEnabled())("redisWindowCounter", () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const client = () => {
    const c = createRedisClient(redis.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  let n = 0;
  sharedCases(() => ({ counter: redisWindowCounter(client()), key: `case-${process.pid}-${++n}` }));

  it("three instances (three clients) sharing a key get one budget between them", async () => {
    const counters = [client(), client(), client()].map((c) => redisWindowCounter(c));
    const key = `shared-${process.pid}`;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (counters[i % 3] as WindowCounter).reserve(key, RULE)),
    );
    expect(answers.filter((a) => a.allowed)).toHaveLength(RULE.max);
  });

  it("the window expires in Redis (PEXPIRE set on the first attempt)", async () => {
    const c = client();
    const counter = redisWindowCounter(c);
    const key = `expiry-${process.pid}`;
    await counter.reserve(key, { max: 1, windowMs: 50 });
    expect((await counter.reserve(key, { max: 1, windowMs: 50 })).allowed).toBe(false);
    const ttl = await c.pttl(`tessera-rl:${key}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(50);
  });

  it("counts in local memory while Redis does not answer, and reports it", async () => {
    // A port nobody listens on: every command fails.
    const dead = createRedisClient("redis://127.0.0.1:1", { connectTimeoutMs: 200, commandTimeoutMs: 200 });
    clients.push(dead);
    const errors: unknown[] = [];
    const counter = redisWindowCounter(dead, { onError: (e) => errors.push(e) });
    const answers = await Promise.all(Array.from({ length: 8 }, () => counter.reserve("k", RULE)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(RULE.max);
    expect(errors.length).toBeGreaterThan(0);
  });
});
