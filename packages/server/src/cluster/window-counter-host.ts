import { memoryWindowCounter } from "../http/window-counter.js";
import { isWindowMessage, WINDOW_MESSAGE, type WindowReply, type WindowRequest } from "./window-messages.js";

/** A worker as the primary sees it: `cluster.Worker`. */
export interface WorkerChannel {
  isConnected(): boolean;
  send(message: WindowReply): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/**
 * The primary's side of the shared rate limits: one in-memory counter (the same fixed windows and
 * memory bound as a single process) answering every worker's calls, each batch in order. A
 * release names its window by where it ends, so the primary keeps nothing per reservation.
 *
 * @example
 * const host = hostWindowCounters();
 * cluster.on("fork", (worker) => host.attach(worker));
 */
export function hostWindowCounters(): { attach(worker: WorkerChannel): void } {
  const counter = memoryWindowCounter();
  return {
    attach(worker) {
      worker.on("message", (message) => {
        if (!isWindowMessage<WindowRequest>(message)) return;
        const answers = message.calls.map((call) => {
          if (call.op === "reserve") return { id: call.id, ...counter.take(call.key, call.rule) };
          if (call.op === "clear") {
            const cleared = counter.clearNow(call.patterns);
            return { id: call.id, allowed: true, retryAfterMs: 0, endsAt: 0, cleared };
          }
          if (call.op === "add") counter.count(call.key, call.rule);
          else counter.giveBack(call.key, call.endsAt);
          return { id: call.id, allowed: true, retryAfterMs: 0, endsAt: 0 };
        });
        // A worker that went away meanwhile needs no answer (what it counted stays counted).
        if (worker.isConnected()) worker.send({ tag: WINDOW_MESSAGE, answers });
      });
    },
  };
}
