import { fileURLToPath } from "node:url";
import { createSqliteStore, SqliteDatabase } from "@tessera/store-sqlite";
import { compare, median } from "./harness.js";
import { pinnedTo } from "./http-bench.js";
import { load } from "./load.js";
import { sessionTargets } from "./report.js";
import { CLIENT, seedTessera } from "./seed.js";
import { freePort, startServer } from "./server-process.js";
import { seedServerSessions } from "./session-seed.js";

export { seedServerSessions };

/**
 * Server sessions (`@tessera/server/sessions`): what the session check costs a route over HTTP,
 * and what one `tessera.sessions.validate(cookie)` costs in-process on a big SQLite store, each
 * beside its limit measured in the same run — the same route without the check, and one raw
 * indexed `SELECT … FROM sessions WHERE id = ?` through the same driver.
 */

const SERVER = fileURLToPath(new URL("./session-server.js", import.meta.url));
const COOKIE = "__Host-tessera_session";
const CONNECTIONS = 64;

/**
 * @typedef {{ sessions: number, sample: number, inProcess: import("./harness.js").HarnessOptions, http: { rounds: number, slice: number, warmup: number } }} SessionBenchSettings
 */

/** @type {Record<"tiny" | "quick" | "full", SessionBenchSettings>} */
export const SESSION_SETTINGS = {
  tiny: {
    sessions: 300,
    sample: 100,
    inProcess: { rounds: 2, sliceMs: 20, warmupMs: 20 },
    http: { rounds: 1, slice: 1, warmup: 1 },
  },
  quick: {
    sessions: 50_000,
    sample: 5_000,
    inProcess: { rounds: 7, sliceMs: 100, warmupMs: 100 },
    http: { rounds: 5, slice: 2, warmup: 1 },
  },
  full: {
    sessions: 1_000_000,
    sample: 20_000,
    inProcess: { rounds: 11, sliceMs: 300, warmupMs: 300 },
    http: { rounds: 7, slice: 3, warmup: 2 },
  },
};

/**
 * In-process, interleaved: `tessera.sessions.validate(cookie)` over the sampled live sessions vs
 * one raw indexed `SELECT` of a session row by id (same SQLite file, same driver, its own
 * connection). µs per call, medians of the slices.
 *
 * @param {Awaited<ReturnType<typeof seedServerSessions>>} seeded
 * @param {import("./harness.js").HarnessOptions} options
 */
export async function validateCost(seeded, options) {
  const store = createSqliteStore({ path: seeded.path });
  const raw = new SqliteDatabase(seeded.path, { readonly: true });
  try {
    const tessera = await seedTessera(store, new Uint8Array(Buffer.from(seeded.masterKeyHex, "hex")));
    const { cookies } = seeded;
    // Every sampled cookie must open its session before anything is timed (and records its use).
    for (const cookie of cookies) {
      if ((await tessera.sessions.validate(cookie, CLIENT)) === null)
        throw new Error("a seeded server session did not validate");
    }
    const ids = cookies.map((cookie) => cookie.slice(4, 40));
    const select = raw
      .prepare(
        "SELECT id, user_id, secret_hash, expires_at, last_used_at, idle_timeout_ms, revoked_at FROM sessions WHERE id = ?",
      )
      .raw(true);
    let i = 0;
    let j = 0;
    const perSecond = await compare(
      {
        validate: () => tessera.sessions.validate(cookies[i++ % cookies.length], CLIENT),
        raw_select: () => select.get(ids[j++ % ids.length]),
      },
      options,
    );
    // CPU time per call, each alone over the sample once: on a shared machine wall time also
    // counts the waits for a CPU that others held; CPU time does not.
    const cpuUs = async (/** @type {() => unknown} */ fn) => {
      const before = process.cpuUsage();
      for (let k = 0; k < cookies.length; k++) await fn();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / cookies.length;
    };
    return {
      validate_us: 1e6 / perSecond.validate,
      raw_select_us: 1e6 / perSecond.raw_select,
      validate_cpu_us: await cpuUs(() => tessera.sessions.validate(cookies[i++ % cookies.length], CLIENT)),
      raw_select_cpu_us: await cpuUs(() => select.get(ids[j++ % ids.length])),
    };
  } finally {
    raw.close();
    await store.close();
  }
}

/**
 * Over HTTP, one server process (pinned like the other HTTP benches) serving the same JSON route
 * with and without the session check; 64 connections, the protected route's requests each with
 * one of the sampled session cookies. The two routes run in alternating slices (A B, B A, …) so a
 * neighbour's burst lands on both; each round gives its own ratio. Before any load, the protected
 * route must refuse a request without a cookie (401) and accept one with a cookie (200).
 *
 * @param {Awaited<ReturnType<typeof seedServerSessions>>} seeded
 * @param {SessionBenchSettings["http"]} settings
 * @param {{ serverCpus: string | undefined, loadCpus: string | undefined }} pinning
 */
export async function protectedRoute(seeded, settings, pinning) {
  const port = await freePort();
  const server = await startServer({
    args: [SERVER],
    env: { PORT: String(port), TESSERA_BENCH_DB: seeded.path, TESSERA_BENCH_MASTER_KEY: seeded.masterKeyHex },
    port,
    readyPath: "/open/data",
    ...(pinning.serverCpus !== undefined ? { cpus: pinning.serverCpus } : {}),
  });
  try {
    const cookies = seeded.cookies.slice(0, CONNECTIONS * 4);
    const refused = await fetch(`${server.url}/protected/data`);
    await refused.arrayBuffer();
    const accepted = await fetch(`${server.url}/protected/data`, {
      headers: { cookie: `${COOKIE}=${cookies[0]}` },
    });
    const body = /** @type {{ user: string | null }} */ (await accepted.json());
    if (refused.status !== 401 || accepted.status !== 200 || body.user === null)
      throw new Error(`protected route: ${refused.status} without a cookie, ${accepted.status} with one`);
    let next = 0;
    const routes = {
      unprotected: (/** @type {number} */ duration) =>
        load({ url: `${server.url}/open/data`, connections: CONNECTIONS, duration }),
      protected: (/** @type {number} */ duration) =>
        load({
          url: server.url,
          connections: CONNECTIONS,
          duration,
          requests: [
            {
              method: "GET",
              path: "/protected/data",
              setupRequest(request) {
                request.headers = { cookie: `${COOKIE}=${cookies[next++ % cookies.length]}` };
                return request;
              },
            },
          ],
        }),
    };
    /** @type {Record<"protected" | "unprotected", Array<import("./load.js").LoadResult & { cpu: number | null }>>} */
    const runs = { protected: [], unprotected: [] };
    const slice = async (/** @type {"protected" | "unprotected"} */ name, /** @type {number} */ duration) => {
      const before = server.cpuSeconds();
      const result = await routes[name](duration);
      const after = server.cpuSeconds();
      return { ...result, cpu: before === null || after === null ? null : after - before };
    };
    await pinnedTo(pinning.loadCpus, async () => {
      await slice("unprotected", settings.warmup);
      await slice("protected", settings.warmup);
      for (let round = 0; round < settings.rounds; round++) {
        const order = /** @type {const} */ (
          round % 2 === 0 ? ["protected", "unprotected"] : ["unprotected", "protected"]
        );
        for (const name of order) runs[name].push(await slice(name, settings.slice));
      }
    });
    const rps = (/** @type {"protected" | "unprotected"} */ name) => median(runs[name].map((r) => r.rps));
    // Server CPU per request: what requests/s mean once the neighbours are taken out.
    const cpuUs = (/** @type {"protected" | "unprotected"} */ name) => {
      const known = runs[name].filter((r) => r.cpu !== null && r.requests > 0);
      return known.length === 0 ? null : median(known.map((r) => ((r.cpu ?? 0) * 1e6) / r.requests));
    };
    // A round where either slice got no answer at all (the server starved of its CPU) has no ratio.
    const roundRatios = runs.protected
      .map((r, k) => r.rps / (runs.unprotected[k]?.rps ?? 0))
      .filter((x) => Number.isFinite(x) && x > 0);
    const failed = [...runs.protected, ...runs.unprotected].reduce((n, r) => n + r.non_2xx + r.errors, 0);
    return {
      protected_rps: rps("protected"),
      unprotected_rps: rps("unprotected"),
      ratio: roundRatios.length > 0 ? median(roundRatios) : 0,
      protected_cpu_us_per_request: cpuUs("protected"),
      unprotected_cpu_us_per_request: cpuUs("unprotected"),
      round_ratios: roundRatios,
      protected_p99_ms: median(runs.protected.map((r) => r.p99_ms)),
      unprotected_p99_ms: median(runs.unprotected.map((r) => r.p99_ms)),
      failed_requests: failed,
      status_without_cookie: refused.status,
    };
  } finally {
    await server.stop();
  }
}

/**
 * The whole server-session figure: seed, in-process cost, HTTP pair. `log` gets a line per step.
 *
 * @example
 * const figure = await sessionBench(tmp, SESSION_SETTINGS.quick, { serverCpus: "0", loadCpus: "1" });
 *
 * @param {string} dir
 * @param {SessionBenchSettings} settings
 * @param {{ serverCpus: string | undefined, loadCpus: string | undefined }} pinning
 * @param {(line: string) => void} [log]
 */
export async function sessionBench(dir, settings, pinning, log = () => {}) {
  log(`server sessions: seeding ${settings.sessions.toLocaleString("en-US")} in SQLite (bulk insert)`);
  const seeded = await seedServerSessions(dir, settings.sessions, settings.sample);
  log("server sessions: validate() vs one raw indexed SELECT, in-process");
  const cost = await validateCost(seeded, settings.inProcess);
  log("server sessions: protected vs unprotected route over HTTP, alternating slices");
  const http = await protectedRoute(seeded, settings.http, pinning);
  const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;
  const r3 = (/** @type {number} */ x) => Math.round(x * 1000) / 1000;
  return {
    protected_rps: Math.round(http.protected_rps),
    unprotected_rps: Math.round(http.unprotected_rps),
    ratio: r3(http.ratio),
    round_ratios: http.round_ratios.map(r3),
    protected_cpu_us_per_request:
      http.protected_cpu_us_per_request === null ? null : Math.round(http.protected_cpu_us_per_request),
    unprotected_cpu_us_per_request:
      http.unprotected_cpu_us_per_request === null ? null : Math.round(http.unprotected_cpu_us_per_request),
    protected_p99_ms: r2(http.protected_p99_ms),
    unprotected_p99_ms: r2(http.unprotected_p99_ms),
    failed_requests: http.failed_requests,
    status_without_cookie: http.status_without_cookie,
    validate_us: r2(cost.validate_us),
    raw_select_us: r2(cost.raw_select_us),
    validate_cpu_us: r2(cost.validate_cpu_us),
    raw_select_cpu_us: r2(cost.raw_select_cpu_us),
    sessions: seeded.sessions,
    sampled_sessions: seeded.cookies.length,
  };
}

/**
 * `node bench/run.js --sessions-only`: the figure alone, printed with its targets (no files written).
 *
 * @param {Parameters<typeof sessionBench>} args
 */
export async function sessionsOnly(...args) {
  const figure = await sessionBench(...args);
  console.log(JSON.stringify(figure, null, 2));
  for (const t of sessionTargets(figure)) console.log(`  ${t.ok ? "✔" : "✖"} ${t.name}: ${t.value}`);
  return figure;
}
