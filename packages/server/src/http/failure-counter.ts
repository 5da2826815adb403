import type { Redis } from "ioredis";
import type { RateLimitRule } from "../config/duration.js";

/** The answer to a reservation: allowed, or refused with how long until the window ends. */
export interface Reservation {
  allowed: boolean;
  /** Milliseconds until the key's window ends (for `Retry-After`). */
  retryAfterMs: number;
  /** Gives the reserved attempt back (it did not fail); a no-op when refused or called twice. */
  release(): Promise<void>;
}

/**
 * Counts attempts per key in a fixed window that starts at the key's first attempt. An attempt is
 * reserved (counted) before the work it guards, so concurrent attempts can never all pass a check
 * made before any of them was counted; an attempt that turns out not to be a failure is released.
 */
export interface FailureCounter {
  /** Atomically counts one attempt unless the budget is spent; a refused attempt leaves no mark. */
  reserve(key: string, rule: RateLimitRule): Promise<Reservation>;
  /** Counts one failure that was not reserved beforehand. */
  add(key: string, rule: RateLimitRule): Promise<void>;
}

/**
 * A counter in this process's memory (one instance; also the fallback while Redis is away). It
 * holds at most `maxKeys` keys, dropping the oldest window first.
 *
 * @example
 * const counter = memoryFailureCounter();
 * const { allowed } = await counter.reserve("acct:ip", { max: 10, windowMs: 900_000 });
 */
export function memoryFailureCounter(options: { now?: () => number; maxKeys?: number } = {}): FailureCounter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { count: number; endsAt: number }>();

  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.endsAt > now()) return entry;
    if (entry) windows.delete(key);
    return undefined;
  };
  const open = (key: string, rule: RateLimitRule) => {
    const entry = { count: 0, endsAt: now() + rule.windowMs };
    windows.set(key, entry);
    // Map keeps insertion order: the first key is the oldest window.
    if (windows.size > maxKeys) windows.delete(windows.keys().next().value as string);
    return entry;
  };

  return {
    async reserve(key, rule) {
      const entry = live(key) ?? open(key, rule);
      const retryAfterMs = entry.endsAt - now();
      if (entry.count >= rule.max) return { allowed: false, retryAfterMs, release: async () => {} };
      entry.count += 1;
      const release = once(async () => {
        // Only into the window it was counted in: a later window owes it nothing.
        if (live(key) === entry && entry.count > 0) entry.count -= 1;
      });
      return { allowed: true, retryAfterMs, release };
    },
    async add(key, rule) {
      const entry = live(key) ?? open(key, rule);
      entry.count += 1;
    },
  };
}

// INCR and the window's expiry in one script: no other client runs between them, so the budget
// holds for concurrent attempts on every instance (check after increment, never read-then-add).
const RESERVE = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if count > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  return {0, ttl}
end
return {1, ttl}
`;
// DECR keeps the expiry; a key that already expired is left alone (never a negative count).
const RELEASE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return count
`;
const ADD = `
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

/** `run` at most once; later calls resolve at once. */
function once(run: () => Promise<void>): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await run();
  };
}

interface FailureScripts {
  tesseraFailReserve(key: string, windowMs: number, max: number): Promise<[number, number]>;
  tesseraFailRelease(key: string): Promise<number>;
  tesseraFailAdd(key: string, windowMs: number): Promise<number>;
}

/**
 * A counter in Redis shared by every instance. While Redis does not answer, each instance falls
 * back to counting in its own memory (`fallback`), so the limit still holds per instance instead
 * of failing open; `onError` hears about each failed Redis call.
 *
 * @example
 * const counter = redisFailureCounter(redis, { onError: (e) => log.warn({ err: e }, "Redis") });
 */
export function redisFailureCounter(
  redis: Redis,
  options: { prefix?: string; fallback?: FailureCounter; onError?: (error: unknown) => void } = {},
): FailureCounter {
  const prefix = options.prefix ?? "tessera-rl:fail:";
  const fallback = options.fallback ?? memoryFailureCounter();
  const report = options.onError ?? (() => {});
  if (!("tesseraFailReserve" in redis)) {
    redis.defineCommand("tesseraFailReserve", { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand("tesseraFailRelease", { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand("tesseraFailAdd", { numberOfKeys: 1, lua: ADD });
  }
  const scripts = redis as unknown as FailureScripts;

  return {
    async reserve(key, rule) {
      let answer: [number, number];
      try {
        answer = await scripts.tesseraFailReserve(prefix + key, rule.windowMs, rule.max);
      } catch (error) {
        report(error);
        // Released, if at all, where it was counted.
        return fallback.reserve(key, rule);
      }
      const [allowed, ttl] = answer;
      const release = once(async () => {
        try {
          await scripts.tesseraFailRelease(prefix + key);
        } catch (error) {
          report(error);
        }
      });
      return allowed === 1
        ? { allowed: true, retryAfterMs: ttl, release }
        : { allowed: false, retryAfterMs: ttl, release: async () => {} };
    },
    async add(key, rule) {
      try {
        await scripts.tesseraFailAdd(prefix + key, rule.windowMs);
      } catch (error) {
        report(error);
        await fallback.add(key, rule);
      }
    },
  };
}
