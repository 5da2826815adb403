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

/** Pause between two tries for a write lock another connection holds (the event loop runs meanwhile). */
const BUSY_RETRY_MS = 1;

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
 *
 * Several processes on one file (`tessera serve --workers N`): when another connection holds the
 * write lock, the group does not wait in SQLite's busy handler, which sleeps the whole event loop
 * (1, 2, 5, 10 ms… per try) while the lock is held for a fraction of a millisecond. It asks for the
 * lock without waiting and, if refused, tries again a millisecond later while this process goes on
 * serving requests, whose calls join the waiting
 * group. After the connection's busy timeout it waits in SQLite one last time, as before.
 */
export function groupCommit<I, R>(h: SqliteHandle, step: (input: I) => R): GroupCommitted<I, R> {
  const queue: Pending<I, R>[] = [];
  let scheduled = false;
  const busyTimeoutMs = Number(h.db.pragma("busy_timeout", { simple: true }));
  // Cached statements: `db.pragma()` would compile one at each call.
  const noWait = () => h.sql("PRAGMA busy_timeout = 0").get();
  const normalWait = () => h.sql(`PRAGMA busy_timeout = ${busyTimeoutMs}`).get();
  let busySince: number | null = null;

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

  /** Runs `group` in one transaction; `"busy"` (nothing settled) when `wait` is false and the lock is taken. */
  const settle = (group: Pending<I, R>[], wait: boolean): "done" | "busy" => {
    let results: R[];
    stepFailed = false;
    try {
      if (!wait) noWait();
      results = together(group);
    } catch (error) {
      if (!stepFailed) {
        if (!wait && (error as { code?: unknown }).code === "SQLITE_BUSY") return "busy";
        // BEGIN or COMMIT was refused (e.g. busy past the timeout): nothing was written, and running
        // each call alone would only wait out the timeout once per call.
        for (const call of group) call.reject(error);
        return "done";
      }
      if (!wait) normalWait();
      for (const call of group) {
        try {
          call.resolve(alone(call.input));
        } catch (callError) {
          call.reject(callError);
        }
      }
      return "done";
    } finally {
      if (!wait) normalWait();
    }
    for (const [i, call] of group.entries()) call.resolve(results[i] as R);
    return "done";
  };

  const run = () => {
    while (queue.length > 0) {
      const group = queue.slice(0, MAX_BATCH);
      const waited = busySince === null ? 0 : Date.now() - busySince;
      if (settle(group, waited >= busyTimeoutMs) === "busy") {
        busySince ??= Date.now();
        scheduled = true;
        // Not setImmediate: polling the lock at once would take CPU from the process that holds it
        // (on a busy machine it may be waiting for a CPU while holding the lock).
        setTimeout(run, BUSY_RETRY_MS);
        return;
      }
      busySince = null;
      queue.splice(0, group.length);
    }
    scheduled = false;
  };

  const flush = () => {
    while (queue.length > 0) settle(queue.splice(0, MAX_BATCH), true);
  };

  const committed = (input: I) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the I/O phase: every request read in this turn has queued its call by then.
        setImmediate(run);
      }
    });
  return Object.assign(committed, { flush });
}
