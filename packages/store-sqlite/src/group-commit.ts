import type { SqliteHandle } from "./handle.js";

/** Calls committed together at most; a longer queue is split over several turns. */
const MAX_BATCH = 128;

interface Pending<I, R> {
  input: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** A write operation whose calls are committed in groups; see {@link groupCommit}. */
export interface GroupCommitted<I, R> {
  (input: I): Promise<R>;
  /** Commits every queued call now (before the connection closes). */
  flush(): void;
}

/**
 * Group commit: calls made during one event-loop turn run in one `BEGIN IMMEDIATE` transaction
 * and all settle after its single COMMIT. A WAL commit costs about as much as the pages it writes
 * (the hot pages of the indexes and the commit frame are written once per group instead of once
 * per call), so under load this divides the write cost of a refresh; an idle server sees groups
 * of one and waits for nothing but the end of the current turn.
 *
 * Calls stay atomic and isolated: later calls in a group see the effects of earlier ones exactly
 * as if each had committed on its own. If a call throws, the whole group is rolled back and every
 * call is run again in a transaction of its own, so the failing call rejects alone; if BEGIN or
 * COMMIT fails, every call rejects with that error. Nothing is reported done that was not committed. (Savepoints per call would
 * do the same, but cost a fifth of a refresh: every page a call touches is copied first.)
 */
export function groupCommit<I, R>(h: SqliteHandle, step: (input: I) => R): GroupCommitted<I, R> {
  const queue: Pending<I, R>[] = [];
  let scheduled = false;

  const alone = h.immediate(step);
  let stepFailed = false;
  const together = h.immediate((group: Pending<I, R>[]) =>
    group.map((call) => {
      try {
        return step(call.input);
      } catch (error) {
        stepFailed = true;
        throw error;
      }
    }),
  );

  const settle = (group: Pending<I, R>[]) => {
    let results: R[];
    stepFailed = false;
    try {
      results = together(group);
    } catch (error) {
      if (!stepFailed) {
        // BEGIN or COMMIT was refused (e.g. busy past the timeout): nothing was written, and running
        // each call alone would only wait out the timeout once per call.
        for (const call of group) call.reject(error);
        return;
      }
      for (const call of group) {
        try {
          call.resolve(alone(call.input));
        } catch (callError) {
          call.reject(callError);
        }
      }
      return;
    }
    for (const [i, call] of group.entries()) call.resolve(results[i] as R);
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) settle(queue.splice(0, MAX_BATCH));
  };

  const committed = (input: I) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the I/O phase: every request read in this turn has queued its call by then.
        setImmediate(flush);
      }
    });
  return Object.assign(committed, { flush });
}
