/** The console table of the bench: every figure beside its limit and the ratio. */

import { int, ms, perS, ratio, shortCount, times } from "./report-format.js";

/**
 * @typedef {import("./report-format.js").Results} Results
 * @typedef {import("./report-format.js").HttpFigure} HttpFigure
 * @typedef {import("./report-format.js").WorkersFigure} WorkersFigure
 * @typedef {import("./report-format.js").ServerSessionFigure} ServerSessionFigure
 */

/**
 * The lines of the results table.
 *
 * @example
 * console.log(table(results).join("\n"));
 *
 * @param {Results} r
 * @returns {string[]}
 */
export function table(r) {
  const rows = [];
  const pad = (/** @type {string} */ s, /** @type {number} */ n) => s.padEnd(n);
  const line = (/** @type {string[]} */ cells) =>
    rows.push(
      [
        pad(cells[0] ?? "", 20),
        pad(cells[1] ?? "", 34),
        pad(cells[2] ?? "", 26),
        pad(cells[3] ?? "", 8),
        cells[4] ?? "",
      ]
        .join(" ")
        .trimEnd(),
    );
  line(["figure", "tessera", "limit", "ratio", "others (ratio to the limit)"]);
  for (const [alg, v] of Object.entries(r.verify)) {
    line([
      `verify ${alg}`,
      perS(v.tessera),
      `raw ${perS(v.raw)}`,
      times(ratio(v.tessera, v.raw)),
      `jose ${perS(v.jose)} (${times(ratio(v.jose, v.raw))})  fast-jwt ${perS(v.fast_jwt)} (${times(ratio(v.fast_jwt, v.raw))})`,
    ]);
  }
  if (r.verify_dpop) {
    const d = r.verify_dpop.eddsa;
    line([
      "verify dpop eddsa",
      perS(d.dpop),
      `plain bearer ${perS(d.plain)}`,
      times(ratio(d.dpop, d.plain)),
      "bound token + fresh ES256 proof per call (RFC 9449)",
    ]);
  }
  if (r.verify_scope) {
    const v = r.verify_scope.eddsa;
    line([
      "verify+scope check",
      perS(v.require_scope),
      `plain verify ${perS(v.plain)}`,
      times(ratio(v.require_scope, v.plain)),
      `the scope + role check alone: ${v.check_pct_of_verify} % of one verify (target ≤ 3 %)`,
    ]);
  }
  const s = r.sign.eddsa;
  line(["sign eddsa", perS(s.tessera), `raw ${perS(s.raw)}`, times(ratio(s.tessera, s.raw))]);
  const h = r.http;
  line(["http baseline", "", `fastify ${perS(h.baseline_rps)}`, "", "a bare route, same process layout"]);
  const refresh = (
    /** @type {string} */ name,
    /** @type {HttpFigure} */ f,
    /** @type {string} */ limit,
    /** @type {number} */ of,
    /** @type {string} */ note,
  ) =>
    line([
      name,
      `${perS(f.rps)} p50 ${ms(f.p50_ms)} p99 ${ms(f.p99_ms)}`,
      `${limit} ${perS(of)}`,
      times(ratio(f.rps, of)),
      note,
    ]);
  refresh(
    "refresh sqlite",
    h.refresh_sqlite,
    "in-process",
    h.refresh_limit_per_s,
    cpuNote(h.refresh_sqlite, h.refresh_limit_cpu_us_per_op),
  );
  const v = h.refresh_vs_limit_interleaved;
  if (v) {
    line([
      "refresh interleaved",
      `${perS(v.http_rps)}`,
      `in-process, same CPU ${perS(v.limit_per_s)}`,
      times(v.ratio),
      `HTTP and in-process slices alternating on the server's CPU; per round ${v.round_ratios.map(times).join(" ")}; server CPU ${v.http_cpu_us_per_request ?? "?"} µs/request vs ${v.limit_cpu_us_per_op} µs/op (CSRF check included)`,
    ]);
  }
  refresh(
    `refresh sqlite ${shortCount(h.refresh_sqlite_1m.sessions_in_store)}`,
    h.refresh_sqlite_1m,
    "small store",
    h.refresh_sqlite.rps,
    `${int.format(h.refresh_sqlite_1m.sessions_in_store)} sessions in the store; ${cpuNote(h.refresh_sqlite_1m)}`,
  );
  if (r.workers) {
    const w = r.workers;
    const cpu = (/** @type {WorkersFigure} */ f) =>
      `${f.server_cpu_us_per_request ?? "?"} µs/request on ${f.server_cpu_utilisation.toFixed(2)} CPUs`;
    line([
      "refresh --workers 2",
      `${perS(w[2].rps)} p99 ${ms(w[2].p99_ms)}`,
      `--workers 1 ${perS(w[1].rps)}`,
      times(w.ratio),
      `unpinned, alternating; per round ${w.round_ratios.map(times).join(" ")}; server CPU ${cpu(w[2])} vs ${cpu(w[1])}`,
    ]);
  }
  const l = h.login_sqlite;
  line([
    "login sqlite",
    `${perS(l.rps)} p99 ${ms(l.p99_ms)}`,
    `argon2id ${perS(l.argon2_limit_per_s)}`,
    times(ratio(l.rps, l.argon2_limit_per_s)),
    `/healthz p99 ${ms(l.healthz_p99_ms)} during the flood`,
  ]);
  if (l.failed_unknown_email_p50_ms !== undefined && l.failed_wrong_password_p50_ms !== undefined) {
    line([
      "failed login p50",
      `unknown e-mail ${ms(l.failed_unknown_email_p50_ms)}`,
      `wrong password ${ms(l.failed_wrong_password_p50_ms)}`,
      times(ratio(l.failed_unknown_email_p50_ms, l.failed_wrong_password_p50_ms)),
      "same answer, same path: one argon2id verification either way",
    ]);
  }
  if (h.refresh_postgres && h.refresh_limit_postgres_per_s !== undefined) {
    refresh(
      "refresh postgres",
      h.refresh_postgres,
      "in-process",
      h.refresh_limit_postgres_per_s,
      cpuNote(h.refresh_postgres, h.refresh_limit_postgres_cpu_us_per_op),
    );
  }
  if (h.login_postgres) {
    const lp = h.login_postgres;
    line([
      "login postgres",
      `${perS(lp.rps)} p99 ${ms(lp.p99_ms)}`,
      `argon2id ${perS(l.argon2_limit_per_s)}`,
      times(ratio(lp.rps, l.argon2_limit_per_s)),
      `/healthz p99 ${ms(lp.healthz_p99_ms)}`,
    ]);
  }
  if (r.server_sessions) {
    const v = r.server_sessions;
    line([
      "session route",
      perS(v.protected_rps),
      `same route, open ${perS(v.unprotected_rps)}`,
      times(v.ratio),
      `sessionAuth + requireSession vs none; rounds ${v.round_ratios.map(times).join(" ")}; server CPU ${v.protected_cpu_us_per_request ?? "?"} vs ${v.unprotected_cpu_us_per_request ?? "?"} µs/request`,
    ]);
    line([
      "session validate",
      `${v.validate_us} µs`,
      `raw SELECT ${v.raw_select_us} µs`,
      times(ratio(v.validate_us, v.raw_select_us)),
      `${int.format(v.sessions)} server sessions in SQLite; CPU ${v.validate_cpu_us} µs vs ${v.raw_select_cpu_us} µs`,
    ]);
  }
  line([
    "peak RSS",
    `${r.rss_mb_peak.toFixed(0)} MB`,
    "budget 200 MB",
    times(ratio(r.rss_mb_peak, 200)),
    "server, under the refresh load",
  ]);
  return rows;
}

/**
 * Server CPU per request (and, when known, the in-process CPU per refresh), and how busy the
 * server's CPU was: on a shared machine these say more than requests/s.
 *
 * @param {HttpFigure} f
 * @param {number} [inProcessUs]
 */
function cpuNote(f, inProcessUs) {
  if (f.server_cpu_us_per_request === undefined) return "";
  const limit = inProcessUs === undefined ? "" : ` (in-process ${int.format(inProcessUs)} µs)`;
  const pct = (/** @type {number | undefined} */ x) => (x === undefined ? "?" : `${Math.round(x * 100)}%`);
  return (
    `server CPU ${int.format(f.server_cpu_us_per_request)} µs/request${limit}; server busy ${pct(f.server_cpu_utilisation)}, ` +
    `waiting for a CPU ${pct(f.server_cpu_wait_share)}; load generator busy ${pct(f.load_generator_cpu_utilisation)}`
  );
}
