import type { DpopReplayCache } from "@tessera/core";
import type { Redis } from "ioredis";

const PREFIX = "tessera-dpop:";

/**
 * The DPoP replay cache in Redis, shared by every instance attached to it: `SET key 1 NX PX ttl`
 * is atomic, so of concurrent uses of one proof (on any node) exactly one succeeds, and Redis
 * expires the entry by itself.
 *
 * @example
 * const replay = redisReplayCache(redis);
 * await replay.remember(key, now + 120_000, now); // true once, then false
 */
export function redisReplayCache(redis: Redis): DpopReplayCache {
  return {
    async remember(key, expiresAt, now) {
      const ttl = Math.max(1, Math.ceil(expiresAt - now));
      return (await redis.set(`${PREFIX}${key}`, "1", "PX", ttl, "NX")) === "OK";
    },
  };
}
