/**
 * The bench report's shared parts: the shape of the raw results and how figures are written
 * (counts per second, milliseconds, ratios).
 */

/**
 * @typedef {{ rps: number, p50_ms: number, p99_ms: number, non_2xx?: number, server_cpu_us_per_request?: number, server_cpu_utilisation?: number, server_cpu_wait_share?: number, load_generator_cpu_utilisation?: number }} HttpFigure
 * @typedef {{
 *   verify: Record<string, { tessera: number, raw: number, jose: number, fast_jwt: number }>,
 *   verify_dpop?: { eddsa: { plain: number, dpop: number } },
 *   verify_scope?: { eddsa: { plain: number, require_scope: number, check_only: number, cost_pct: number, check_pct_of_verify: number } },
 *   sign: { eddsa: { tessera: number, raw: number } },
 *   http: {
 *     baseline_rps: number, refresh_limit_per_s: number, refresh_limit_cpu_us_per_op?: number,
 *     refresh_sqlite: HttpFigure, refresh_sqlite_1m: HttpFigure & { sessions_in_store: number },
 *     refresh_vs_limit_interleaved?: { ratio: number, round_ratios: number[], http_rps: number, limit_per_s: number, http_cpu_us_per_request: number | null, limit_cpu_us_per_op: number, failed: number },
 *     login_sqlite: { rps: number, p99_ms: number, argon2_limit_per_s: number, healthz_p99_ms: number, failed_unknown_email_p50_ms?: number, failed_wrong_password_p50_ms?: number },
 *     refresh_limit_postgres_per_s?: number, refresh_limit_postgres_cpu_us_per_op?: number, refresh_postgres?: HttpFigure,
 *     login_postgres?: { rps: number, p99_ms: number, healthz_p99_ms: number },
 *   },
 *   rss_mb_peak: number,
 *   workers?: { 1: WorkersFigure, 2: WorkersFigure, ratio: number, round_ratios: number[] },
 *   server_sessions?: ServerSessionFigure,
 * }} Results
 * @typedef {{ rps: number, p99_ms: number, server_cpu_us_per_request: number | null, server_cpu_utilisation: number }} WorkersFigure
 * @typedef {{ protected_rps: number, unprotected_rps: number, ratio: number, round_ratios: number[], validate_us: number, raw_select_us: number, validate_cpu_us?: number, raw_select_cpu_us?: number, protected_cpu_us_per_request?: number | null, unprotected_cpu_us_per_request?: number | null, sessions: number }} ServerSessionFigure
 */

export const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export const ms = (/** @type {number} */ x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
export const perS = (/** @type {number} */ x) => `${int.format(x)}/s`;
export const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 ? a / b : 0);
export const times = (/** @type {number} */ r) => `${r.toFixed(2)}×`;
/** Targets show three decimals, so 0.849 does not print as a passing-looking "0.85". */
export const times3 = (/** @type {number} */ r) => `${r.toFixed(3)}×`;

/**
 * A store size in short: `1M`, `50k`.
 *
 * @param {number} n
 */
export function shortCount(n) {
  return n >= 1e6 ? `${n / 1e6}M` : `${Math.round(n / 1e3)}k`;
}
