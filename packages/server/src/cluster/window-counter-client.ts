import type { RateLimitRule } from "../config/duration.js";
import { memoryWindowCounter, type Reservation, type WindowCounter } from "../http/window-counter.js";
import {
  isWindowMessage,
  WINDOW_MESSAGE,
  type WindowCall,
  type WindowReply,
  type WindowRequest,
} from "./window-messages.js";

/** The IPC channel to the primary: `process` in a cluster worker. */
export interface PrimaryChannel {
  readonly connected: boolean;
  send(message: WindowRequest, callback: (error: Error | null) => void): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

type Answer = WindowReply["answers"][number];

/**
 * The rate-limit counter of a cluster worker: every call is counted by the primary
 * (`hostWindowCounters`), so all workers on the machine share one budget per key, exactly as one
 * process would. The calls of one event-loop turn travel in one message and come back in one, so
 * under load a request pays a share of one round trip, not one of its own. Without a channel (the
 * primary is gone; the worker is about to exit) it counts in its own memory.
 *
 * @example
 * const counter = primaryWindowCounter(process as PrimaryChannel);
 * const { allowed } = await counter.reserve("ip:198.51.100.7", { max: 300, windowMs: 60_000 });
 */
export function primaryWindowCounter(channel: PrimaryChannel): WindowCounter {
  const fallback = memoryWindowCounter();
  const waiting = new Map<number, (answer: Answer) => void>();
  let calls: WindowCall[] = [];
  let nextId = 1;

  channel.on("message", (message) => {
    if (!isWindowMessage<WindowReply>(message)) return;
    for (const answer of message.answers) {
      const settle = waiting.get(answer.id);
      waiting.delete(answer.id);
      settle?.(answer);
    }
  });

  /** Answers `batch` from this worker's own memory (the primary is gone; the worker exits next). */
  const answerLocally = (batch: WindowCall[]) => {
    for (const c of batch) {
      const settle = waiting.get(c.id);
      waiting.delete(c.id);
      if (c.op === "reserve") settle?.({ id: c.id, ...fallback.take(c.key, c.rule) });
      else if (c.op === "clear") {
        settle?.({
          id: c.id,
          allowed: true,
          retryAfterMs: 0,
          endsAt: 0,
          cleared: fallback.clearNow(c.patterns),
        });
      } else {
        if (c.op === "add") fallback.count(c.key, c.rule);
        settle?.({ id: c.id, allowed: true, retryAfterMs: 0, endsAt: 0 });
      }
    }
  };
  const flush = () => {
    const batch = calls;
    calls = [];
    channel.send({ tag: WINDOW_MESSAGE, calls: batch }, (error) => {
      if (error) answerLocally(batch);
    });
  };
  const call = (make: (id: number) => WindowCall) =>
    new Promise<Answer>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      // After the I/O phase: every request read in this turn has made its call by then.
      if (calls.length === 0) setImmediate(flush);
      calls.push(make(id));
    });

  return {
    async reserve(key: string, rule: RateLimitRule): Promise<Reservation> {
      if (!channel.connected) return fallback.reserve(key, rule);
      const answer = await call((id) => ({ id, op: "reserve", key, rule }));
      let released = !answer.allowed;
      return {
        allowed: answer.allowed,
        retryAfterMs: answer.retryAfterMs,
        async release() {
          if (released || !channel.connected) return;
          released = true;
          await call((id) => ({ id, op: "release", key, endsAt: answer.endsAt }));
        },
      };
    },
    async add(key: string, rule: RateLimitRule): Promise<void> {
      if (!channel.connected) return fallback.add(key, rule);
      await call((id) => ({ id, op: "add", key, rule }));
    },
    // `tessera limits reset` through the admin API of any worker clears the machine's counters.
    async clear(patterns: readonly string[]): Promise<number> {
      if (!channel.connected) return fallback.clear(patterns);
      const answer = await call((id) => ({ id, op: "clear", patterns: [...patterns] }));
      return answer.cleared ?? 0;
    },
  };
}
