import type { RateLimitRule } from "../config/duration.js";

/** Tag of the rate-limit messages between cluster workers and the primary. */
export const WINDOW_MESSAGE = "tessera-window";

/** One counter call of a worker, as sent to the primary. */
export type WindowCall =
  | { id: number; op: "reserve"; key: string; rule: RateLimitRule }
  | { id: number; op: "add"; key: string; rule: RateLimitRule }
  | { id: number; op: "release"; key: string; endsAt: number }
  | { id: number; op: "clear"; patterns: string[] };

/** The calls of one event-loop turn of a worker, in order. */
export interface WindowRequest {
  tag: typeof WINDOW_MESSAGE;
  calls: WindowCall[];
}

/**
 * The primary's answers, in the order of the calls (`add`, `release` and `clear` answer
 * `allowed: true`; `clear` also how many live windows it deleted).
 */
export interface WindowReply {
  tag: typeof WINDOW_MESSAGE;
  answers: Array<{ id: number; allowed: boolean; retryAfterMs: number; endsAt: number; cleared?: number }>;
}

/**
 * Whether `message` is one of ours (cluster's own messages share the channel).
 *
 * @example
 * if (isWindowMessage<WindowReply>(message)) settle(message.answers);
 */
export function isWindowMessage<T extends WindowRequest | WindowReply>(message: unknown): message is T {
  return (
    typeof message === "object" && message !== null && (message as { tag?: unknown }).tag === WINDOW_MESSAGE
  );
}
