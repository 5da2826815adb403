import { Redis } from "ioredis";
import {
  DEFAULT_CHANNEL,
  DEFAULT_KEY,
  DEFAULT_RETENTION_MS,
  type RevocationChannelOptions,
} from "./publish-revocation.js";
import { decodeNotice, type RevocationNotice } from "./revocation-message.js";
import { RedisUnavailableError } from "./unavailable.js";

/**
 * The claims a revocation check needs; structurally the same as `@tessera/verify`'s revocation
 * source input (this package does not depend on it).
 */
export interface RevocationClaims {
  sub: string;
  sid: string;
  /** Seconds since the epoch. */
  iat: number;
  /** The user's token epoch at issue (Tessera access tokens carry it). */
  epoch?: number;
}

/** What `@tessera/verify` accepts as `revocation`. */
export interface RevocationSource {
  isRevoked(claims: RevocationClaims): boolean | Promise<boolean>;
  close(): void;
}

export interface RedisRevocationSourceOptions extends RevocationChannelOptions {
  /** Redis to connect to; or pass `client`. */
  url?: string;
  /** An existing client: used for reading the log and duplicated for the subscription; not closed by `close()`. */
  client?: Redis;
  /** Read the log at start (and after every reconnection) so earlier revocations are known. Default true. */
  fetchInitial?: boolean;
  /**
   * Until the source has subscribed and read the log once, `isRevoked` waits at most this long,
   * then rejects with `RedisUnavailableError` (code `store_unavailable`) (fail closed). Default 2 000 ms.
   */
  readyTimeoutMs?: number;
  /**
   * When set: after the subscription has been lost for longer than this, `isRevoked` throws
   * `RedisUnavailableError` (code `store_unavailable`) (fail closed) until it is back and caught up. Unset (the
   * default), answers come from the last known state during a Redis outage.
   */
  maxStalenessMs?: number;
  /** Milliseconds now; injected in tests. */
  now?: () => number;
  /** Connection errors and ignored malformed messages. Default: ignore. */
  onError?: (error: Error) => void;
}

/**
 * A revocation source for `@tessera/verify` fed by Redis pub/sub: it keeps each user's latest
 * epoch and the revoked session ids in memory, so a verification makes no network call, and
 * learns a new revocation as soon as the auth server publishes it (`publishRevocation`). At start,
 * and again after every reconnection (messages sent while disconnected are lost by pub/sub), it
 * reads the retained log, so nothing published in the retention window is missed.
 *
 * A message can only add revocations (epochs only rise, revoked sessions stay revoked), so a
 * forged or replayed message can never make a revoked token valid again.
 *
 * Tokens carrying an `epoch` claim are judged exactly by it. For tokens without one, `iat` has
 * one-second granularity, so a token issued in the same second as a user revocation is treated
 * as revoked (the safe side).
 *
 * @example
 * const revocation = redisRevocationSource({ url: process.env.REDIS_URL! });
 * const verifier = createVerifier({ issuer, audience, revocation });
 */
export function redisRevocationSource(options: RedisRevocationSourceOptions): RevocationSource {
  if (!options.client && !options.url)
    throw new TypeError("redisRevocationSource: url or client is required");
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const key = options.key ?? DEFAULT_KEY;
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const readyTimeout = options.readyTimeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  const report = options.onError ?? (() => {});
  const fetchInitial = options.fetchInitial ?? true;
  const maxStaleness = options.maxStalenessMs;

  // Commands wait through reconnections instead of failing: this connection only runs background work.
  const connection = { maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(n * 100, 2_000) };
  const reader = options.client ?? new Redis(options.url as string, connection);
  const subscriber = options.client
    ? options.client.duplicate(connection)
    : new Redis(options.url as string, connection);
  const ownsReader = !options.client;
  subscriber.on("error", report);
  if (ownsReader) reader.on("error", report);

  /** user id → highest epoch seen and the time of the latest user revocation. */
  const users = new Map<string, { epoch: number; at: number }>();
  /** session id → when it was revoked. */
  const sessions = new Map<string, number>();
  let closed = false;
  let ready = false;
  /** When the subscription was lost, until the log has been read again after reconnecting. */
  let disconnectedSince: number | null = null;

  const apply = (notice: RevocationNotice) => {
    if (notice.kind === "user") {
      const known = users.get(notice.userId);
      users.set(notice.userId, {
        epoch: Math.max(known?.epoch ?? 0, notice.epoch),
        at: Math.max(known?.at ?? 0, notice.at),
      });
    } else {
      sessions.set(notice.sessionId, Math.max(sessions.get(notice.sessionId) ?? 0, notice.at));
    }
  };

  const receive = (text: string) => {
    const notice = decodeNotice(text);
    if (notice) apply(notice);
    else report(new Error("ignored a malformed revocation message"));
  };

  // Entries older than the retention concern only expired tokens; drop them to bound memory.
  const prune = () => {
    const cutoff = now() - retention;
    for (const [id, entry] of users) if (entry.at < cutoff) users.delete(id);
    for (const [id, at] of sessions) if (at < cutoff) sessions.delete(id);
  };
  const pruneTimer = setInterval(prune, Math.min(retention, 60_000));
  pruneTimer.unref();

  const readLog = async () => {
    if (!fetchInitial) return;
    const members = await reader.zrangebyscore(key, now() - retention, "+inf");
    for (const member of members) receive(member);
  };

  subscriber.on("message", (from: string, text: string) => {
    if (from === channel) receive(text);
  });

  // Subscribe first, then read the log: a revocation published in between arrives by one path or
  // the other (applying it twice is harmless). Retried until it works, so a Redis that is down
  // at start delays readiness instead of breaking the source for good.
  const catchUp = async () => {
    await subscriber.subscribe(channel);
    await readLog();
    disconnectedSince = null;
  };
  const start = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        await catchUp();
        ready = true;
        return;
      } catch (error) {
        if (!closed) report(asError(error));
        await new Promise((resolve) => setTimeout(resolve, Math.min(attempt * 100, 2_000)).unref());
      }
    }
  })();

  // ioredis re-subscribes after a reconnection; messages published meanwhile were lost, so make
  // sure the subscription is back and then catch up from the log.
  let connections = 0;
  subscriber.on("ready", () => {
    connections += 1;
    if (connections === 1 || closed) return;
    catchUp().catch((error: unknown) => report(asError(error)));
  });
  subscriber.on("close", () => {
    disconnectedSince ??= now();
  });

  const check = (claims: RevocationClaims): boolean => {
    if (sessions.has(claims.sid)) return true;
    const user = users.get(claims.sub);
    if (!user) return false;
    if (typeof claims.epoch === "number") return claims.epoch < user.epoch;
    return claims.iat * 1000 <= user.at;
  };

  const untilReady = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RedisUnavailableError("revocation source not ready")),
        readyTimeout,
      );
      timer.unref();
      void start.then(() => {
        clearTimeout(timer);
        if (ready) resolve();
        else reject(new RedisUnavailableError("revocation source closed"));
      });
    });

  return {
    isRevoked(claims) {
      if (closed) throw new RedisUnavailableError("revocation source closed");
      if (
        maxStaleness !== undefined &&
        disconnectedSince !== null &&
        now() - disconnectedSince > maxStaleness
      ) {
        throw new RedisUnavailableError("revocation source disconnected");
      }
      if (ready) return check(claims);
      return untilReady().then(() => check(claims));
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneTimer);
      subscriber.disconnect();
      if (ownsReader) reader.disconnect();
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
