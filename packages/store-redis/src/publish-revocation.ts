import type { Redis } from "ioredis";
import { encodeNotice, type RevocationNotice, validateNotice } from "./revocation-message.js";
import { RedisUnavailableError } from "./unavailable.js";

/** Where notices are published and kept; a publisher and its sources must agree. */
export interface RevocationChannelOptions {
  /** Pub/sub channel. Default `tessera:revocations`. */
  channel?: string;
  /** Sorted set (scored by `at`) that late-starting sources read. Default `tessera:revocation-log`. */
  key?: string;
  /**
   * How long a notice matters: at least the longest access-token lifetime, after which every
   * token it revokes has expired anyway. Default 1 hour (the production maximum).
   */
  retentionMs?: number;
}

export const DEFAULT_CHANNEL = "tessera:revocations";
export const DEFAULT_KEY = "tessera:revocation-log";
export const DEFAULT_RETENTION_MS = 3_600_000;

/**
 * Record a revocation for verifiers attached to Redis: one MULTI that adds it to the log (so a
 * verifier starting later still learns it), drops log entries older than the retention, and
 * publishes it (so running verifiers learn it at once). Call it after the store has committed the
 * revocation. Resolves with the number of subscribers that received the message; rejects with
 * `RedisUnavailableError` (code `store_unavailable`) when Redis cannot be reached.
 *
 * @example
 * const { epoch } = await store.revokeUserSessions({ userId, now, reason: "logout_all" });
 * await publishRevocation(redis, { kind: "user", userId, epoch, at: now });
 */
export async function publishRevocation(
  redis: Redis,
  notice: RevocationNotice,
  options: RevocationChannelOptions = {},
): Promise<number> {
  validateNotice(notice);
  const message = encodeNotice(notice);
  const key = options.key ?? DEFAULT_KEY;
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  try {
    const results = await redis
      .multi()
      .zadd(key, notice.at, message)
      .zremrangebyscore(key, "-inf", `(${notice.at - retention}`)
      .pexpire(key, retention)
      .publish(options.channel ?? DEFAULT_CHANNEL, message)
      .exec();
    if (!results) throw new Error("transaction aborted");
    for (const [error] of results) if (error) throw error;
    const receivers = results[3]?.[1];
    return typeof receivers === "number" ? receivers : 0;
  } catch (error) {
    throw new RedisUnavailableError("store_unavailable", { cause: error });
  }
}
