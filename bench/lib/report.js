/**
 * Turns the raw results into the three outputs: the console table (every figure beside its limit
 * and the ratio), the performance targets with ✔/✖, and the rows the chart draws.
 */

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (/** @type {number} */ x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const perS = (/** @type {number} */ x) => `${int.format(x)}/s`;
const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 ? a / b : 0);
const times = (/** @type {number} */ r) => `${r.toFixed(2)}×`;
/** Targets show three decimals, so 0.849 does not print as a passing-looking "0.85". */
const times3 = (/** @type {number} */ r) => `${r.toFixed(3)}×`;

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

/** @param {number} n */
function shortCount(n) {
  return n >= 1e6 ? `${n / 1e6}M` : `${Math.round(n / 1e3)}k`;
}

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
  const share = ratio(h.refresh_sqlite.rps, h.refresh_limit_per_s);
  out.push({
    name: "refresh over HTTP ≥ 0.6× the in-process limit",
    ok: share >= 0.6,
    value: times3(share),
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

/**
 * The chart's rows: each figure as a ratio to its limit, with the target where there is one.
 *
 * @param {Results} r
 * @returns {Array<{ label: string, bars: Array<{ name: string, ratio: number }>, target?: number }>}
 */
export function chartRows(r) {
  const rows = [];
  for (const [alg, v] of Object.entries(r.verify)) {
    rows.push({
      label: `verify ${alg} / raw`,
      bars: [
        { name: "tessera", ratio: ratio(v.tessera, v.raw) },
        { name: "jose", ratio: ratio(v.jose, v.raw) },
        { name: "fast-jwt", ratio: ratio(v.fast_jwt, v.raw) },
      ],
      target: alg === "rs256" ? 0.8 : 0.85,
    });
  }
  rows.push({
    label: "sign eddsa / raw",
    bars: [{ name: "tessera", ratio: ratio(r.sign.eddsa.tessera, r.sign.eddsa.raw) }],
    target: 0.85,
  });
  const h = r.http;
  rows.push({
    label: "refresh sqlite / in-process",
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite.rps, h.refresh_limit_per_s) }],
    target: 0.45,
  });
  rows.push({
    label: `refresh ${shortCount(h.refresh_sqlite_1m.sessions_in_store)} / small store`,
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite_1m.rps, h.refresh_sqlite.rps) }],
    target: 0.8,
  });
  rows.push({
    label: "refresh sqlite / 6,000 target",
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite.rps, 6000) }],
    target: 1,
  });
  rows.push({
    label: "login sqlite / argon2id",
    bars: [{ name: "tessera", ratio: ratio(h.login_sqlite.rps, h.login_sqlite.argon2_limit_per_s) }],
    target: 0.9,
  });
  if (r.server_sessions) {
    rows.push({
      label: "session route / open route",
      bars: [{ name: "tessera", ratio: r.server_sessions.ratio }],
      target: 0.8,
    });
  }
  if (h.refresh_postgres && h.refresh_limit_postgres_per_s) {
    rows.push({
      label: "refresh postgres / in-process",
      bars: [{ name: "tessera", ratio: ratio(h.refresh_postgres.rps, h.refresh_limit_postgres_per_s) }],
    });
  }
  if (h.login_postgres) {
    rows.push({
      label: "login postgres / argon2id",
      bars: [{ name: "tessera", ratio: ratio(h.login_postgres.rps, h.login_sqlite.argon2_limit_per_s) }],
    });
  }
  return rows;
}
