/**
 * The soak's growth rule. The samples taken after the warm-up are cut into three equal parts by
 * count; the last third is compared with the first:
 *
 * - RSS: median of the last third ≤ median of the first third × 1.25 + 20 MB;
 * - open file descriptors: median of the last third ≤ median of the first third + 8.
 *
 * What that catches: between the two thirds of a 2-minute run lie ~64 s and, at the ~1,000
 * requests/s this traffic reaches on a 2-core machine, ~64,000 requests; over a ~200 MB baseline
 * the rule allows ~70 MB, so a leak of about 1 kB per request or more fails it (a slower leak needs
 * a longer `--minutes`). A socket or file leaked per cycle fails the second rule. Medians, so one
 * garbage collection landing late does not decide. Fewer than six samples after the warm-up fail (nothing
 * to compare).
 */
export const RSS_FACTOR = 1.25;
export const RSS_SLACK_MB = 20;
export const FD_SLACK = 8;
const MIN_SAMPLES = 6;

/**
 * @typedef {{ t_s: number, rss_mb: number, fds: number }} Sample
 */

/**
 * @example
 * judgeGrowth(samples, 24).passed; // true when neither RSS nor fds grew past the rule
 *
 * @param {Sample[]} samples
 * @param {number} warmupS
 */
export function judgeGrowth(samples, warmupS) {
  const kept = samples.filter((s) => s.t_s >= warmupS);
  /** @type {string[]} */
  const failures = [];
  if (kept.length < MIN_SAMPLES) {
    failures.push(`only ${kept.length} samples after the ${warmupS} s warm-up (need ${MIN_SAMPLES})`);
    return { passed: false, failures, rss: null, fds: null };
  }
  const third = Math.floor(kept.length / 3);
  const first = kept.slice(0, third);
  const last = kept.slice(kept.length - third);

  const rssFirst = median(first.map((s) => s.rss_mb));
  const rssLast = median(last.map((s) => s.rss_mb));
  const rssLimit = rssFirst * RSS_FACTOR + RSS_SLACK_MB;
  if (rssLast > rssLimit) {
    failures.push(`RSS grew: last-third median ${rssLast.toFixed(1)} MB > limit ${rssLimit.toFixed(1)} MB`);
  }
  const fdFirst = median(first.map((s) => s.fds));
  const fdLast = median(last.map((s) => s.fds));
  const fdLimit = fdFirst + FD_SLACK;
  if (fdLast > fdLimit) failures.push(`open fds grew: last-third median ${fdLast} > limit ${fdLimit}`);

  return {
    passed: failures.length === 0,
    failures,
    rss: {
      first_third_median_mb: round1(rssFirst),
      last_third_median_mb: round1(rssLast),
      limit_mb: round1(rssLimit),
      growth_mb: round1(rssLast - rssFirst),
    },
    fds: { first_third_median: fdFirst, last_third_median: fdLast, limit: fdLimit },
  };
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? /** @type {number} */ (sorted[mid])
    : /** @type {number} */ (sorted[mid - 1] + /** @type {number} */ (sorted[mid])) / 2;
}

/** @param {number} x */
const round1 = (x) => Math.round(x * 10) / 10;
