import type { RevocationEvent, Store } from "@tessera/core";
import type { Redis } from "ioredis";
import {
  DEFAULT_RETENTION_MS,
  publishRevocation,
  type RevocationChannelOptions,
} from "./publish-revocation.js";
import type { RevocationNotice } from "./revocation-message.js";

/** The Redis notice for a store revocation event; null for an event that carries no epoch. */
export function noticeFromEvent(event: RevocationEvent): RevocationNotice | null {
  if (event.kind === "session") {
    return event.sessionId === null
      ? null
      : { kind: "session", userId: event.userId, sessionId: event.sessionId, at: event.at };
  }
  return event.epoch === null
    ? null
    : { kind: "user", userId: event.userId, epoch: event.epoch, at: event.at };
}

export interface RevocationRelayOptions extends RevocationChannelOptions {
  /** The system of record; only its revocation feed is read. */
  store: Pick<Store, "listRevocations">;
  redis: Redis;
  /** Pause between passes. Default 1 000 ms. */
  intervalMs?: number;
  /** Milliseconds now; injected in tests. */
  now?: () => number;
  /** A failed pass (it is retried on the next one). Default: ignore. */
  onError?: (error: unknown) => void;
}

export interface RevocationRelay {
  /** One pass now: publish every event after the cursor; resolves with how many were published. */
  sync(): Promise<number>;
  close(): void;
}

/**
 * Copies the store's revocation feed to Redis, so a revocation whose direct `publishRevocation`
 * was lost (Redis briefly away, a crash between commit and publish) still reaches the verifiers
 * within one interval. At start it replays the events still within the retention. The cursor only
 * moves past events that were published, so a failed pass is retried. Several instances may each
 * run one: a notice applied twice changes nothing.
 *
 * @example
 * const relay = startRevocationRelay({ store, redis: createRedisClient(process.env.TESSERA_REDIS_URL!) });
 * // on shutdown
 * relay.close();
 */
export function startRevocationRelay(options: RevocationRelayOptions): RevocationRelay {
  const interval = options.intervalMs ?? 1_000;
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const now = options.now ?? Date.now;
  const report = options.onError ?? (() => {});
  const channel: RevocationChannelOptions = { retentionMs: retention };
  if (options.channel !== undefined) channel.channel = options.channel;
  if (options.key !== undefined) channel.key = options.key;

  let cursor = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const pass = async (): Promise<number> => {
    let published = 0;
    for (;;) {
      const page = await options.store.listRevocations(cursor, 500);
      if (page.length === 0) return published;
      const cutoff = now() - retention;
      const notices = page
        .filter((event) => event.at >= cutoff)
        .map(noticeFromEvent)
        .filter((notice) => notice !== null);
      await Promise.all(notices.map((notice) => publishRevocation(options.redis, notice, channel)));
      published += notices.length;
      cursor = page.at(-1)?.cursor ?? cursor;
    }
  };

  // Passes run one after another (never two at once, so the cursor is never raced); a sync()
  // called during a pass gets a fresh pass after it, which sees everything committed before the call.
  let queue: Promise<unknown> = Promise.resolve();
  const sync = (): Promise<number> => {
    const next = queue.then(pass, pass);
    queue = next.catch(() => {});
    return next;
  };

  const tick = () => {
    sync()
      .catch(report)
      .finally(() => {
        if (!closed) {
          timer = setTimeout(tick, interval);
          timer.unref();
        }
      });
  };
  tick();

  return {
    sync,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
