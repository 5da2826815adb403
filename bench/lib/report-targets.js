/** The performance targets of the bench, each with the measured value and ✔/✖. */

import { int, ms, perS, ratio, times, times3 } from "./report-format.js";

/**
 * @typedef {import("./report-format.js").Results} Results
 * @typedef {import("./report-format.js").HttpFigure} HttpFigure
 * @typedef {import("./report-format.js").WorkersFigure} WorkersFigure
 * @typedef {import("./report-format.js").ServerSessionFigure} ServerSessionFigure
 */

/**
 * The performance targets, each with the measured value and whether it was met.
 *
 * @example
 * for (const t of targets(results)) console.log(`${t.ok ? "✔" : "✖"} ${t.name}: ${t.value}`);
 *
 * @param {Results} r
 * @param {{ fullSize: boolean }} options
 * @returns {Array<{ name: string, ok: boolean, value: string }>}
 */
export function targets(r, options) {
  const v = r.verify;
  const h = r.http;
  const out = [];
  for (const [alg, min] of /** @type {const} */ ([
    ["eddsa", 0.85],
    ["es256", 0.85],
    ["rs256", 0.8],
  ])) {
    const x = ratio(v[alg].tessera, v[alg].raw);
    out.push({ name: `verify ${alg} ≥ ${min}× raw node:crypto`, ok: x >= min, value: times3(x) });
  }
  const behind = Object.entries(v).filter(([, x]) => x.tessera <= x.jose);
  out.push({
    name: "verify ahead of plain jose on every algorithm",
    ok: behind.length === 0,
    value: Object.entries(v)
      .map(([alg, x]) => `${alg} ${times(ratio(x.tessera, x.jose))}`)
      .join(", "),
  });
  if (r.verify_scope) {
    const pct = r.verify_scope.eddsa.check_pct_of_verify;
    out.push({
      name: "a requireScope/requireRole check costs ≤ 3 % of a verify",
      ok: pct <= 3,
      value: `${pct} %`,
    });
  }
  const sign = ratio(r.sign.eddsa.tessera, r.sign.eddsa.raw);
  out.push({ name: "sign ≥ 0.85× raw", ok: sign >= 0.85, value: times3(sign) });
  out.push({
    name: "refresh over HTTP on SQLite ≥ 6,000/s at 64 connections",
    ok: h.refresh_sqlite.rps >= 6000,
    value: perS(h.refresh_sqlite.rps),
  });
  out.push({
    name: "refresh p99 < 25 ms",
    ok: h.refresh_sqlite.p99_ms < 25,
    value: ms(h.refresh_sqlite.p99_ms),
  });
  const big = ratio(h.refresh_sqlite_1m.rps, h.refresh_sqlite.rps);
  out.push({
    name: `with ${options.fullSize ? "1,000,000" : `${int.format(h.refresh_sqlite_1m.sessions_in_store)} (quick run, not 1M)`} sessions ≥ 0.85× the small store`,
    ok: big >= 0.85,
    value: times3(big),
  });
  // The interleaved figure when the run has it (slices alternating on one CPU); else the two
  // separate measurements of older results.
  const interleaved = h.refresh_vs_limit_interleaved;
  const share = interleaved ? interleaved.ratio : ratio(h.refresh_sqlite.rps, h.refresh_limit_per_s);
  out.push({
    name: `refresh over HTTP ≥ 0.6× the in-process limit${interleaved ? " (interleaved)" : ""}`,
    ok: share >= 0.6,
    value: interleaved
      ? `${times3(share)} (rounds ${interleaved.round_ratios.map((x) => times(x)).join(" ")})`
      : times3(share),
  });
  if (r.workers) {
    out.push({
      name: "refresh with --workers 2 ≥ 1.5× --workers 1 (2 CPUs, nothing pinned)",
      ok: r.workers.ratio >= 1.5,
      value: times(r.workers.ratio),
    });
  }
  const login = ratio(h.login_sqlite.rps, h.login_sqlite.argon2_limit_per_s);
  out.push({ name: "login ≥ 0.9× the argon2id limit", ok: login >= 0.9, value: times3(login) });
  out.push({
    name: "/healthz p99 < 50 ms during the login flood",
    ok: h.login_sqlite.healthz_p99_ms < 50,
    value: ms(h.login_sqlite.healthz_p99_ms),
  });
  if (r.server_sessions) out.push(...sessionTargets(r.server_sessions));
  out.push({ name: "peak RSS < 200 MB", ok: r.rss_mb_peak < 200, value: `${r.rss_mb_peak.toFixed(0)} MB` });
  return out;
}

/**
 * The server-session targets: the protected route ≥ 0.8× the same route open, and one
 * `validate()` ≤ 20 µs with 1,000,000 sessions in SQLite (a smaller store says so).
 *
 * @example
 * for (const t of sessionTargets(results.server_sessions)) console.log(t.name, t.value);
 *
 * @param {ServerSessionFigure} s
 */
export function sessionTargets(s) {
  const store = s.sessions >= 1_000_000 ? "1,000,000" : `${int.format(s.sessions)} (not 1M)`;
  return [
    {
      name: "session-protected route ≥ 0.8× the same route unprotected",
      ok: s.ratio >= 0.8,
      value: `${times3(s.ratio)} (rounds ${s.round_ratios.map(times3).join(" ")})`,
    },
    {
      name: `sessions.validate() ≤ 20 µs with ${store} sessions in SQLite`,
      ok: s.validate_us <= 20,
      value: `${s.validate_us} µs (one raw indexed SELECT ${s.raw_select_us} µs; CPU ${s.validate_cpu_us} vs ${s.raw_select_cpu_us} µs)`,
    },
  ];
}
