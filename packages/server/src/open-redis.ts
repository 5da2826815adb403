import { createRedisClient } from "@tessera/store-redis";
import type { Redis } from "ioredis";

const READY_WAIT_MS = 2_000;

/**
 * Opens the Redis client `TESSERA_REDIS_URL` names, for the request path: a command fails at once
 * while Redis is unreachable (no queueing behind reconnection attempts), so a Redis outage costs
 * a request a fallback, not seconds of waiting. Start-up waits up to 2 s for the connection and
 * then goes on without it: Redis is never required to serve (the client keeps reconnecting).
 *
 * @example
 * const redis = await openRedis(config.redisUrl);
 * await redis.quit();
 */
export async function openRedis(url: string): Promise<Redis> {
  const redis = createRedisClient(url, { ioredis: { enableOfflineQueue: false } });
  if (redis.status !== "ready") {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, READY_WAIT_MS);
      timer.unref();
      redis.once("ready", done);
      function done() {
        clearTimeout(timer);
        redis.removeListener("ready", done);
        resolve();
      }
    });
  }
  return redis;
}
