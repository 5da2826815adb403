/**
 * Runs at most `max` tasks at once; the rest wait in arrival order. A small semaphore for work
 * that runs on other threads (argon2 on libuv's pool): bounding it keeps a CPU free for the event
 * loop, and bounds the memory the running tasks hold.
 *
 * @example
 * const limit = concurrencyLimit(1);
 * const [a, b] = await Promise.all([limit(() => hash(x)), limit(() => hash(y))]); // one after the other
 */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new TypeError("concurrencyLimit: max must be an integer ≥ 1");
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (task) => {
    if (running < max) running++;
    // A released slot passes straight to the next waiter, so `running` never exceeds `max`.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
