import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchSign, benchVerify, benchVerifyDpop, benchVerifyScope } from "./lib/crypto-bench.js";
import { baseline, loginOverHttp, refreshOverHttp } from "./lib/http-bench.js";
import { argon2Limit } from "./lib/limits.js";
import { machine } from "./lib/machine.js";
import { newPathLines, passwordResetRequest, ticketLogin } from "./lib/new-paths.js";
import { refreshVsLimit, refreshVsLimitLine } from "./lib/refresh-vs-limit.js";
import { chartRows, table, targets } from "./lib/report.js";
import { growSqliteStore } from "./lib/seed.js";
import { canPin } from "./lib/server-process.js";
import { SESSION_SETTINGS, sessionBench, sessionsOnly } from "./lib/session-bench.js";
import { postgresAvailable, preparePostgres, prepareSqlite } from "./lib/store-setup.js";
import { chart } from "./lib/svg.js";
import { workersComparison, workersFigure, workersLine } from "./lib/workers-bench.js";
import { peersChart } from "./peers/chart.js";
import { peersBench, peersTable, peersTargets } from "./peers/peers-bench.js";

/**
 * `npm run bench` — every benchmark figure in one run on one machine, each beside its limit.
 *
 *   node bench/run.js            the full run (1,000,000- and 10,000,000-session stores; ~25 min)
 *   node bench/run.js --quick    a smoke run, under a minute (smaller store, shorter rounds)
 *   node bench/run.js --profile  also write a CPU profile of the server during the SQLite refresh
 *                                run (to $TMPDIR/tessera-bench-profiles)
 *   node bench/run.js --no-postgres
 *   node bench/run.js --scope-only  only verify with a requireScope/requireRole check vs plain verify
 *   node bench/run.js --no-peers    skip the peers (node-oidc-provider, Express + jsonwebtoken,
 *                                better-auth, a bare Fastify route) interleaved with Tessera
 *   node bench/run.js --no-10m   the full run without growing the store to 10,000,000 sessions
 *                                (that step bulk-inserts 9,000,000 more sessions: ~8 GB of disk,
 *                                ~10 minutes; it is skipped with a note when the disk has less
 *                                than 12 GB free). Never in CI.
 *   node bench/run.js --sessions-only  only the server-session figures (prints them, writes nothing)
 *
 * Writes bench/results/latest.json and bench/results/latest.svg, and puts the table into
 * bench/README.md. Build first (`npx tsc -b`): the
 * bench runs against the packages' dist/, as users do.
 */

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const mode = quick ? "quick" : "full";

const SETTINGS = quick
  ? {
      crypto: { rounds: 5, sliceMs: 80, warmupMs: 80 },
      argon2: { rounds: 3, roundMs: 600, warmupMs: 300 },
      limit: { workers: 64, rounds: 3, roundMs: 400, warmupMs: 200 },
      sessions: 2000,
      loginUsers: 8,
      bigStore: 50_000,
      http: { duration: 3, warmup: 1 },
      workers: { rounds: 2, sliceSeconds: 2, warmup: 3 },
      vsLimit: { rounds: 2, sliceSeconds: 1, warmupSeconds: 1 },
      peers: { sessions: 2000, rounds: 3, sliceSeconds: 1.5, warmupSeconds: 1 },
      newPaths: { duration: 2, warmup: 0.5 },
    }
  : {
      crypto: { rounds: 9, sliceMs: 300, warmupMs: 300 },
      argon2: { rounds: 5, roundMs: 2000, warmupMs: 500 },
      limit: { workers: 64, rounds: 5, roundMs: 1000, warmupMs: 500 },
      sessions: 5000,
      loginUsers: 16,
      bigStore: 1_000_000,
      http: { duration: 15, warmup: 3 },
      workers: { rounds: 6, sliceSeconds: 5, warmup: 4 },
      vsLimit: { rounds: 6, sliceSeconds: 4, warmupSeconds: 2 },
      peers: { sessions: 5000, rounds: 6, sliceSeconds: 3, warmupSeconds: 2 },
      newPaths: { duration: 6, warmup: 1 },
    };

/**
 * Null when the bench's temporary directory has room for the 10,000,000-session store (~8 GB once
 * grown, plus its WAL), else why the run is skipped.
 *
 * @param {string} dir
 */
function diskTooSmallFor10m(dir) {
  const { bavail, bsize } = statfsSync(dir);
  const freeGb = (bavail * bsize) / 1e9;
  return freeGb >= 12 ? null : `skipped: ${freeGb.toFixed(1)} GB free in ${dir}, 12 GB needed`;
}

const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));
const host = machine();
const pin = canPin() && host.cpus >= 2;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const step = (/** @type {string} */ what) => console.log(`[${elapsed()}] ${what}`);
const round = (/** @type {number} */ x) => Math.round(x);
const round2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

console.log(`tessera bench (${mode}) — ${host.line}; load average ${host.load.join(" ")}`);
console.log(
  pin
    ? "HTTP: each server in its own process pinned to CPU 0, the load generator (autocannon) on CPU 1; nothing pinned for the login flood"
    : "HTTP: CPU pinning unavailable (needs Linux taskset and 2 CPUs): server and load generator share the CPUs",
);

const http = {
  ...SETTINGS.http,
  serverCpus: pin ? "0" : undefined,
  loadCpus: pin ? "1" : undefined,
};
const tmp = mkdtempSync(join(tmpdir(), "tessera-bench-"));
/** @type {Array<() => Promise<unknown>>} */
const cleanups = [];
process.once("SIGINT", () => {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(130);
});

/** The cost of a scope and role check on top of verify, in per cent of plain verify/s. */
async function scopeFigure() {
  step("verify: with a requireScope + requireRole check vs plain verify (EdDSA)");
  const figure = await benchVerifyScope(SETTINGS.crypto);
  const costPct = round2((1 - figure.require_scope / figure.plain) * 100);
  // One check's time as a share of one verify's: the same cost, measured without the noise of two
  // verify figures taken under load.
  const checkPct = round2((figure.plain / figure.check_only) * 100);
  console.log(
    `verify/s plain ${round(figure.plain)}, with requireScope+requireRole ${round(figure.require_scope)} ` +
      `(${costPct} %); the check alone ${round(figure.check_only)}/s = ${checkPct} % of one verify (target ≤ 3 %)`,
  );
  return { ...mapValues(figure, round), cost_pct: costPct, check_pct_of_verify: checkPct };
}

if (args.has("--scope-only")) {
  await scopeFigure();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

if (args.has("--sessions-only")) {
  await sessionsOnly(tmp, SESSION_SETTINGS[mode], http, step).finally(() =>
    rmSync(tmp, { recursive: true, force: true }),
  );
  process.exit(0);
}

try {
  step("verify: tessera, raw node:crypto, jose, fast-jwt (EdDSA, ES256, RS256)");
  const verify = await benchVerify(SETTINGS.crypto);
  step("verify: DPoP-bound token + proof vs plain Bearer (EdDSA token, ES256 proof)");
  const verifyDpop = await benchVerifyDpop(SETTINGS.crypto);
  const verifyScope = await scopeFigure();
  step("sign: tessera vs raw node:crypto (EdDSA)");
  const sign = await benchSign(SETTINGS.crypto);

  step("HTTP baseline (bare Fastify route)");
  const base = await baseline(http);

  step(`SQLite: ${SETTINGS.sessions} sessions via core, in-process refresh limit`);
  const sqlite = await prepareSqlite(tmp, SETTINGS);
  step("SQLite: refresh over HTTP");
  const profileDir = join(tmpdir(), "tessera-bench-profiles");
  const refreshSqlite = await refreshOverHttp(sqlite, {
    ...http,
    ...(args.has("--profile") ? { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  if (args.has("--profile")) {
    step(`server CPU profile written to ${profileDir} (read it with: node bench/profile-summary.js <file>)`);
  }
  step("SQLite: refresh over HTTP vs in-process on the same CPU, interleaved");
  const vsLimit = await refreshVsLimit(sqlite, {
    ...SETTINGS.vsLimit,
    serverCpus: http.serverCpus,
    loadCpus: http.loadCpus,
  });
  console.log(`  ${refreshVsLimitLine(vsLimit)}`);
  step(
    "SQLite: refresh over HTTP, tessera serve --workers 1 vs --workers 2 (nothing pinned, alternating slices)",
  );
  const workers = await workersComparison(sqlite, SETTINGS.workers);
  for (const line of workersLine(workers)) console.log(`  ${line}`);
  /** @type {Awaited<ReturnType<typeof peersBench>> | undefined} */
  let peers;
  if (args.has("--no-peers")) step("peers: skipped (--no-peers)");
  else {
    step(
      "peers: Tessera, node-oidc-provider, Express + jsonwebtoken, better-auth, bare Fastify — interleaved",
    );
    peers = await peersBench({
      dir: tmp,
      ...SETTINGS.peers,
      serverCpus: http.serverCpus,
      loadCpus: http.loadCpus,
      tessera: sqlite,
      log: (line) => console.log(`  ${line}`),
    });
  }
  // The argon2 limit is taken right before and right after the flood and averaged: on a shared
  // machine it drifts by ±10% within a minute, more than the gap the login target is about.
  step("argon2id limit on all cores (before the login flood)");
  const argon2Before = await argon2Limit(SETTINGS.argon2);
  step("SQLite: login flood + /healthz");
  const loginSqlite = await loginOverHttp(sqlite, http);
  step("argon2id limit on all cores (after the login flood)");
  const argon2After = await argon2Limit(SETTINGS.argon2);
  const argon2PerSecond = (argon2Before + argon2After) / 2;
  step("SQLite: login by ticket, in-process limit then over HTTP");
  const newPathHttp = { ...http, ...SETTINGS.newPaths };
  const ticket = await ticketLogin(sqlite, newPathHttp, SETTINGS.limit);
  step("SQLite: password-reset request, in-process limit then over HTTP");
  const forgot = await passwordResetRequest(sqlite, newPathHttp, SETTINGS.limit);
  step(`SQLite: growing the store by ${SETTINGS.bigStore.toLocaleString("en-US")} sessions (bulk insert)`);
  growSqliteStore(sqlite.path, SETTINGS.bigStore);
  step("SQLite: refresh over HTTP on the grown store");
  const refreshBig = await refreshOverHttp(sqlite, http);
  /** @type {Awaited<ReturnType<typeof refreshOverHttp>> | undefined} */
  let refreshHuge;
  const hugeNote =
    mode !== "full"
      ? "skipped: full mode only"
      : args.has("--no-10m")
        ? "skipped (--no-10m)"
        : diskTooSmallFor10m(tmp);
  if (hugeNote !== null) step(`SQLite: 10,000,000-session run ${hugeNote}`);
  else {
    const more = 10_000_000 - SETTINGS.bigStore;
    step(`SQLite: growing the store by ${more.toLocaleString("en-US")} more sessions (bulk insert)`);
    // A million per transaction: one transaction of nine million would spill ~8 GB into the WAL
    // before its checkpoint; each call checkpoints and truncates the WAL when it commits.
    for (let left = more; left > 0; left -= 1_000_000)
      growSqliteStore(sqlite.path, Math.min(left, 1_000_000));
    step("SQLite: refresh over HTTP on the 10,000,000-session store");
    refreshHuge = await refreshOverHttp(sqlite, http);
  }

  /** @type {Record<string, unknown>} */
  let postgres = {};
  if (args.has("--no-postgres")) {
    step("PostgreSQL: skipped (--no-postgres)");
    postgres = { postgres_note: "skipped (--no-postgres)" };
  } else if (!postgresAvailable()) {
    const note =
      "skipped: PostgreSQL binaries (initdb, pg_ctl) not found; install Debian's postgresql or set TESSERA_PG_BIN / TESSERA_TEST_POSTGRES_URL";
    console.log(`NOTE PostgreSQL ${note}`);
    postgres = { postgres_note: note };
  } else {
    step(`PostgreSQL: throwaway server, ${SETTINGS.sessions} sessions, in-process refresh limit`);
    const pg = await preparePostgres(SETTINGS);
    cleanups.push(pg.stop);
    step("PostgreSQL: refresh over HTTP");
    const refreshPg = await refreshOverHttp(pg, http);
    step("PostgreSQL: login flood + /healthz");
    const loginPg = await loginOverHttp(pg, http);
    postgres = {
      refresh_limit_postgres_per_s: round(pg.limitPerSecond),
      refresh_limit_postgres_cpu_us_per_op: round(pg.limitCpuUsPerOp),
      refresh_postgres: httpFigure(refreshPg),
      login_postgres: { ...httpFigure(loginPg), healthz_p99_ms: round2(loginPg.healthz_p99_ms) },
    };
  }

  // Server sessions: a protected route vs the same route open over HTTP, validate() vs a raw SELECT.
  const serverSessions = await sessionBench(tmp, SESSION_SETTINGS[mode], http, step);

  const results = {
    node: process.version,
    cpus: host.cpus,
    machine: host.line,
    date: new Date().toISOString(),
    mode,
    load_average_at_start: host.load,
    verify: mapValues(verify, (v) => mapValues(v, round)),
    verify_dpop: { eddsa: mapValues(verifyDpop, round) },
    verify_scope: { eddsa: verifyScope },
    sign: mapValues(sign, (v) => mapValues(v, round)),
    http: {
      baseline_rps: round(base.rps),
      refresh_limit_per_s: round(sqlite.limitPerSecond),
      refresh_limit_cpu_us_per_op: round(sqlite.limitCpuUsPerOp),
      refresh_sqlite: { ...httpFigure(refreshSqlite), sessions: sqlite.sessions.length },
      refresh_vs_limit_interleaved: {
        ratio: round2(vsLimit.ratio),
        round_ratios: vsLimit.round_ratios.map(round2),
        http_rps: round(vsLimit.http_rps),
        limit_per_s: round(vsLimit.limit_per_s),
        http_cpu_us_per_request:
          vsLimit.http_cpu_us_per_request === null ? null : round(vsLimit.http_cpu_us_per_request),
        limit_cpu_us_per_op: round(vsLimit.limit_cpu_us_per_op),
        failed: vsLimit.failed,
      },
      refresh_sqlite_1m: {
        ...httpFigure(refreshBig),
        sessions_in_store: SETTINGS.bigStore,
        rss_mb_peak: round2(refreshBig.rss_mb_peak ?? 0),
      },
      ...(refreshHuge
        ? {
            refresh_sqlite_10m: {
              ...httpFigure(refreshHuge),
              sessions_in_store: 10_000_000,
              ratio_to_small_store: round2(refreshHuge.rps / refreshSqlite.rps),
              cpu_ratio_to_small_store: round2(
                (refreshHuge.server_cpu_us_per_request ?? 0) / (refreshSqlite.server_cpu_us_per_request ?? 1),
              ),
              rss_mb_peak: round2(refreshHuge.rss_mb_peak ?? 0),
            },
          }
        : { refresh_sqlite_10m_note: hugeNote ?? "not run" }),
      login_sqlite: {
        ...httpFigure(loginSqlite),
        argon2_limit_per_s: round(argon2PerSecond),
        argon2_limit_before_after: [round(argon2Before), round(argon2After)],
        healthz_p99_ms: round2(loginSqlite.healthz_p99_ms),
        failed_unknown_email_p50_ms: round2(loginSqlite.failed_login_p50_ms.unknown_email),
        failed_wrong_password_p50_ms: round2(loginSqlite.failed_login_p50_ms.wrong_password),
      },
      login_ticket_sqlite: newPathFigure(ticket),
      password_forgot_sqlite: newPathFigure(forgot),
      ...postgres,
      pinned: pin,
    },
    ...(peers ? { peers } : {}),
    rss_mb_peak: round2(refreshSqlite.rss_mb_peak ?? 0),
    workers: workersFigure(workers),
    server_sessions: serverSessions,
    duration_s: round((performance.now() - started) / 1000),
  };

  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    join(resultsDir, "latest.svg"),
    chart(chartRows(results), {
      title: `Tessera bench (${mode}) — each figure as a ratio to its limit`,
      subtitle: `${host.line} · ${results.date.slice(0, 10)} · load average at start ${host.load.join(" ")}`,
    }),
  );

  if (peers) {
    writeFileSync(
      join(resultsDir, "peers.svg"),
      peersChart(peers, `${host.line} · ${results.date.slice(0, 16)} UTC · ${mode} mode`),
    );
  }
  const lines = [
    ...table(results),
    ...newPathLines(results.http.login_ticket_sqlite, results.http.password_forgot_sqlite),
    ...(refreshHuge
      ? [
          `refresh sqlite 10M   ${round(refreshHuge.rps).toLocaleString("en-US")}/s p99 ${round2(refreshHuge.p99_ms)} ms, ` +
            `${round2(refreshHuge.rps / refreshSqlite.rps)}× the small store, server CPU ${round(refreshHuge.server_cpu_us_per_request ?? 0)} µs/request`,
        ]
      : []),
    ...(peers ? ["", "peers (one interleaved run):", ...peersTable(peers)] : []),
  ];
  const goals = [
    ...targets(results, { fullSize: SETTINGS.bigStore >= 1_000_000 }),
    ...(peers ? peersTargets(peers) : []),
  ].map((t) => `  ${t.ok ? "✔" : "✖"} ${t.name}: ${t.value}`);
  console.log(`\n${lines.join("\n")}\n\ntargets:\n${goals.join("\n")}`);
  updateReadme(
    [
      `Last run: ${mode} mode, ${results.date.slice(0, 16).replace("T", " ")} UTC, ${host.line}, load average at start ${host.load.join(" ")}.`,
      "",
      "```text",
      ...lines,
      "",
      "targets:",
      ...goals,
      "```",
    ].join("\n"),
  );
  const failures = [refreshSqlite, refreshBig, loginSqlite].reduce((n, r) => n + r.non_2xx + r.errors, 0);
  if (failures > 0)
    console.log(`\nWARNING: ${failures} HTTP requests failed (non-2xx or errors); see latest.json`);
  console.log(
    `\nwrote bench/results/latest.json, latest.svg and the table in bench/README.md in ${elapsed()}`,
  );
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Replaces the results block of bench/README.md (between its two marker comments) with `text`.
 *
 * @param {string} text
 */
function updateReadme(text) {
  const path = fileURLToPath(new URL("./README.md", import.meta.url));
  const readme = readFileSync(path, "utf8");
  const start = "<!-- results:start -->";
  const end = "<!-- results:end -->";
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to < from) return;
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`);
}

/**
 * @param {{ rps: number, p50_ms: number, p99_ms: number, requests: number, non_2xx: number, errors: number, connections?: number, server_cpu_us_per_request?: number | null, server_cpu_utilisation?: number | null, server_cpu_wait_share?: number | null, load_generator_cpu_utilisation?: number }} r
 */
function httpFigure(r) {
  return {
    rps: round(r.rps),
    p50_ms: round2(r.p50_ms),
    p99_ms: round2(r.p99_ms),
    requests: r.requests,
    non_2xx: r.non_2xx,
    errors: r.errors,
    ...(r.connections !== undefined ? { connections: r.connections } : {}),
    ...(typeof r.server_cpu_us_per_request === "number"
      ? { server_cpu_us_per_request: round(r.server_cpu_us_per_request) }
      : {}),
    ...(typeof r.server_cpu_utilisation === "number"
      ? { server_cpu_utilisation: round2(r.server_cpu_utilisation) }
      : {}),
    ...(typeof r.server_cpu_wait_share === "number"
      ? { server_cpu_wait_share: round2(r.server_cpu_wait_share) }
      : {}),
    ...(typeof r.load_generator_cpu_utilisation === "number"
      ? { load_generator_cpu_utilisation: round2(r.load_generator_cpu_utilisation) }
      : {}),
  };
}

/**
 * @param {Parameters<typeof httpFigure>[0] & { limit: { perSecond: number, cpuUsPerOp: number } }} r
 */
function newPathFigure(r) {
  return {
    ...httpFigure(r),
    limit_per_s: round(r.limit.perSecond),
    limit_cpu_us_per_op: round(r.limit.cpuUsPerOp),
    ratio_to_limit: round2(r.rps / r.limit.perSecond),
  };
}

/**
 * @template T, U
 * @param {Record<string, T>} object
 * @param {(value: T) => U} fn
 * @returns {Record<string, U>}
 */
function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}
