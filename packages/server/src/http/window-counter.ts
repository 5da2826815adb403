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
 * Counts attempts per key in a fixed window that starts at the key's first attempt: the store of
 * every rate limit. An attempt is reserved (counted) before the work it guards, so concurrent
 * attempts can never all pass a check made before any of them was counted; a limit that counts
 * only failures releases the attempts that did not fail.
 */
export interface WindowCounter {
  /** Atomically counts one attempt unless the budget is spent; a refused attempt leaves no mark. */
  reserve(key: string, rule: RateLimitRule): Promise<Reservation>;
  /** Counts one failure that was not reserved beforehand. */
  add(key: string, rule: RateLimitRule): Promise<void>;
  /** Deletes every window whose key matches one of `patterns` (`*` any text); how many went. */
  clear(patterns: readonly string[]): Promise<number>;
}

/** A key pattern (`*` = any text, everything else literal) as a regular expression. */
const patternRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/** A counted attempt in {@link MemoryWindowCounter.take}: its window is named by where it ends. */
export interface Taken {
  allowed: boolean;
  retryAfterMs: number;
  /** When the window the attempt was counted in ends (ms since the epoch); names it for `giveBack`. */
  endsAt: number;
}

/** The in-memory counter, with its windows addressable from outside (the cluster primary's host). */
export interface MemoryWindowCounter extends WindowCounter {
  /** `reserve` without the release closure: what it counted is given back by `giveBack`. */
  take(key: string, rule: RateLimitRule): Taken;
  /** Gives one attempt back to `key`'s window if it is still the one ending at `endsAt`. */
  giveBack(key: string, endsAt: number): void;
  /** `add`, synchronously. */
  count(key: string, rule: RateLimitRule): void;
  /** `clear`, synchronously. */
  clearNow(patterns: readonly string[]): number;
}

/**
 * A counter in this process's memory (one instance; also the fallback while Redis is away). Keys
 * are kept per prefix (the text before the first `:`), at most `maxKeys` each, so a flood of one
 * kind never pushes out another. When a prefix is full, expired windows go first; then a request
 * window (`ip:`, …) may drop the oldest live one, but a rule with `failClosed` (failure budgets,
 * lock-outs) never loses a live window: a new key is refused until one expires.
 *
 * @example
 * const counter = memoryWindowCounter();
 * const { allowed } = await counter.reserve("acct:ip", { max: 10, windowMs: 900_000 });
 */
export function memoryWindowCounter(
  options: { now?: () => number; maxKeys?: number } = {},
): MemoryWindowCounter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  type Window = { count: number; endsAt: number };
  // Map keeps insertion order: within a prefix (one rule each) the first key is the oldest window.
  const prefixes = new Map<string, Map<string, Window>>();
  const windowsOf = (key: string) => {
    const prefix = key.slice(0, Math.max(0, key.indexOf(":")));
    const known = prefixes.get(prefix);
    if (known) return known;
    const windows = new Map<string, Window>();
    prefixes.set(prefix, windows);
    return windows;
  };

  const live = (key: string) => {
    const windows = windowsOf(key);
    const entry = windows.get(key);
    if (entry && entry.endsAt > now()) return entry;
    if (entry) windows.delete(key);
    return undefined;
  };
  /** Opens a window, or returns how long until room frees up when a fail-closed prefix is full. */
  const open = (key: string, rule: RateLimitRule): Window | { fullForMs: number } => {
    const windows = windowsOf(key);
    if (windows.size >= maxKeys) {
      for (const [oldKey, old] of windows) {
        if (old.endsAt > now()) break;
        windows.delete(oldKey);
      }
    }
    if (windows.size >= maxKeys) {
      const [oldestKey, oldest] = windows.entries().next().value as [string, Window];
      if (rule.failClosed) return { fullForMs: Math.max(1, oldest.endsAt - now()) };
      windows.delete(oldestKey);
    }
    const entry = { count: 0, endsAt: now() + rule.windowMs };
    windows.set(key, entry);
    return entry;
  };

  const counter: MemoryWindowCounter = {
    take(key, rule) {
      const entry = live(key) ?? open(key, rule);
      if ("fullForMs" in entry) return { allowed: false, retryAfterMs: entry.fullForMs, endsAt: 0 };
      const retryAfterMs = entry.endsAt - now();
      if (entry.count >= rule.max) return { allowed: false, retryAfterMs, endsAt: entry.endsAt };
      entry.count += 1;
      return { allowed: true, retryAfterMs, endsAt: entry.endsAt };
    },
    giveBack(key, endsAt) {
      // Only into the window it was counted in: a later window owes it nothing.
      const entry = live(key);
      if (entry === undefined || entry.endsAt !== endsAt || entry.count === 0) return;
      entry.count -= 1;
      // A window with nothing counted holds no state: free its slot (successful logins must not
      // fill a fail-closed prefix).
      if (entry.count === 0) windowsOf(key).delete(key);
    },
    count(key, rule) {
      const entry = live(key) ?? open(key, rule);
      // A full fail-closed prefix refuses every new key anyway: nothing is lost by not counting.
      if (!("fullForMs" in entry)) entry.count += 1;
    },
    async clear(patterns) {
      return counter.clearNow(patterns);
    },
    clearNow(patterns) {
      const tests = patterns.map(patternRegExp);
      let cleared = 0;
      for (const windows of prefixes.values()) {
        for (const [key, window] of windows) {
          if (!tests.some((test) => test.test(key))) continue;
          windows.delete(key);
          if (window.endsAt > now()) cleared++;
        }
      }
      return cleared;
    },
    async reserve(key, rule) {
      const taken = counter.take(key, rule);
      const release = taken.allowed ? once(async () => counter.giveBack(key, taken.endsAt)) : async () => {};
      return { allowed: taken.allowed, retryAfterMs: taken.retryAfterMs, release };
    },
    async add(key, rule) {
      counter.count(key, rule);
    },
  };
  return counter;
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
// DECR keeps the expiry; a key that already expired is left alone (never a negative count). A
// release that arrives after its window ended and a new one began gives one attempt back to the
// new window: at most one extra attempt per request that straddles a window boundary.
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

interface WindowScripts {
  tesseraWindowReserve(key: string, windowMs: number, max: number): Promise<[number, number]>;
  tesseraWindowRelease(key: string): Promise<number>;
  tesseraWindowAdd(key: string, windowMs: number): Promise<number>;
}

/**
 * A counter in Redis shared by every instance. While Redis does not answer, each instance falls
 * back to counting in its own memory (`fallback`), so the limit still holds per instance instead
 * of failing open; `onError` hears about each failed Redis call.
 *
 * @example
 * const counter = redisWindowCounter(redis, { onError: (e) => log.warn({ err: e }, "Redis") });
 */
export function redisWindowCounter(
  redis: Redis,
  options: { prefix?: string; fallback?: WindowCounter; onError?: (error: unknown) => void } = {},
): WindowCounter {
  const prefix = options.prefix ?? "tessera-rl:";
  const fallback = options.fallback ?? memoryWindowCounter();
  const report = options.onError ?? (() => {});
  if (!("tesseraWindowReserve" in redis)) {
    redis.defineCommand("tesseraWindowReserve", { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand("tesseraWindowRelease", { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand("tesseraWindowAdd", { numberOfKeys: 1, lua: ADD });
  }
  const scripts = redis as unknown as WindowScripts;

  return {
    async reserve(key, rule) {
      let answer: [number, number];
      try {
        answer = await scripts.tesseraWindowReserve(prefix + key, rule.windowMs, rule.max);
      } catch (error) {
        report(error);
        // Released, if at all, where it was counted.
        return fallback.reserve(key, rule);
      }
      const [allowed, ttl] = answer;
      const release = once(async () => {
        try {
          await scripts.tesseraWindowRelease(prefix + key);
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
        await scripts.tesseraWindowAdd(prefix + key, rule.windowMs);
      } catch (error) {
        report(error);
        await fallback.add(key, rule);
      }
    },
    // The shared windows, and those this instance counted while Redis was away.
    async clear(patterns) {
      // Only `*` is a wildcard here: Redis's other glob characters are escaped.
      const globs = patterns.map((p) => prefix + p.replace(/[?[\]\\]/g, "\\$&"));
      return (await clearRedisKeys(redis, globs)) + (await fallback.clear(patterns));
    },
  };
}

/** Deletes every Redis key matching one of the `MATCH` patterns (SCAN, never KEYS); how many went. */
async function clearRedisKeys(redis: Redis, patterns: readonly string[]): Promise<number> {
  let cleared = 0;
  for (const pattern of patterns) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) cleared += await redis.del(...keys);
    } while (cursor !== "0");
  }
  return cleared;
}
