/**
 * The ops/s harness every in-process contender goes through, so their figures compare.
 *
 * Each contender is warmed up, then timed in short slices. The slices of all contenders of one
 * comparison are interleaved (A B C D, B C D A, …), so a burst of load from another process on
 * this shared machine lands on every contender alike instead of on whichever ran at that moment.
 * The figure reported per contender is the median of its slices.
 *
 * Every contender is awaited, sync or not, so none gets a cheaper calling convention (the cost of
 * one `await` on a non-promise is ~0.1 µs, well under 1% of the cheapest operation measured here).
 */

/** Operations between clock reads: small enough for short slices, large enough to hide `performance.now()`. */
const BATCH = 16;

/**
 * @typedef {() => unknown} Contender
 * @typedef {{ rounds: number, sliceMs: number, warmupMs: number }} HarnessOptions
 */

/**
 * Runs `fn` for about `ms` milliseconds; returns operations per second over that slice.
 *
 * @param {Contender} fn
 * @param {number} ms
 * @returns {Promise<number>}
 */
async function slice(fn, ms) {
  const start = performance.now();
  let elapsed = 0;
  let n = 0;
  do {
    for (let i = 0; i < BATCH; i++) await fn();
    n += BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return n / (elapsed / 1000);
}

/**
 * The median of a non-empty list.
 *
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures each contender's median ops/s, interleaving their timed slices.
 *
 * @example
 * const opsPerSecond = await compare({ raw: () => verify(...), jose: () => jwtVerify(...) }, QUICK);
 * // { raw: 16012, jose: 12480 }
 *
 * @param {Record<string, Contender>} contenders
 * @param {HarnessOptions} options
 * @returns {Promise<Record<string, number>>}
 */
export async function compare(contenders, options) {
  const names = Object.keys(contenders);
  for (const name of names) await slice(contenders[name], options.warmupMs);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push(await slice(contenders[name], options.sliceMs));
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}
