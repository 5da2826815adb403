import { Redis, type RedisOptions } from "ioredis";

export interface RedisClientOptions {
  /** Give up a connection attempt after this long. Default 2 000 ms. */
  connectTimeoutMs?: number;
  /** Reject a command that gets no answer in this long. Default 1 000 ms. */
  commandTimeoutMs?: number;
  /** Called with connection errors (ioredis keeps reconnecting by itself). Default: ignore. */
  onError?: (error: Error) => void;
  /** Anything else for ioredis; these win over the defaults above. */
  ioredis?: RedisOptions;
}

/**
 * An ioredis client with timeouts suited to the request path: a command fails fast when Redis is
 * away instead of hanging the HTTP request, and the client reconnects on its own (backing off up
 * to 2 s). Pass it as `redis` to `@fastify/rate-limit`, which accepts an ioredis instance, so that
 * every instance counts against the same limits.
 *
 * @example
 * const redis = createRedisClient(process.env.TESSERA_REDIS_URL!);
 * await app.register(rateLimit, { redis, max: 300, timeWindow: "1 minute", nameSpace: "tessera-rl:" });
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, {
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    ...options.ioredis,
  });
  // Without a listener ioredis prints every reconnection failure to stderr.
  client.on("error", options.onError ?? (() => {}));
  return client;
}
