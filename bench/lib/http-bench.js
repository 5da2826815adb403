import { median } from "./harness.js";
import { load, refreshLoad } from "./load.js";
import { CLIENT, LOGIN_PASSWORD } from "./seed.js";
import { allCpus, pinSelf } from "./server-process.js";
import { startBaseline, startTessera } from "./tessera-server.js";

/**
 * The HTTP scenarios. The load generator is this process; each server runs in its own process.
 * With CPU pinning available (Linux, ≥ 2 CPUs) the server gets CPU 0 and this process CPU 1 —
 * except for the login flood, where nothing is pinned: argon2 runs on libuv's thread pool, its
 * limit is measured on all cores, and the load generator's share (a few hundred requests/s) is
 * negligible. This process is pinned only while it generates load, so what it
 * starts in between (PostgreSQL) is not confined to one CPU.
 */

const CONNECTIONS = 64;
const LOGIN_CONNECTIONS = 16;
const HEALTHZ_RATE = 20;
/** Failed logins timed one at a time per kind, alternating, after the flood. */
const FAILED_LOGIN_SAMPLES = 25;

/**
 * @typedef {{ duration: number, warmup: number, serverCpus: string | undefined, loadCpus: string | undefined, nodeFlags?: string[] }} HttpSettings
 */

/**
 * Runs `fn` with this process pinned to `cpus` (when given), then releases it to every CPU.
 *
 * @template T
 * @param {string | undefined} cpus
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function pinnedTo(cpus, fn) {
  if (cpus === undefined) return fn();
  pinSelf(cpus);
  try {
    return await fn();
  } finally {
    pinSelf(allCpus());
  }
}

/**
 * Requests/s of a bare Fastify route, same process layout as the auth server.
 *
 * @param {HttpSettings} settings
 */
export async function baseline(settings) {
  const server = await startBaseline({ cpus: settings.serverCpus });
  try {
    return await pinnedTo(settings.loadCpus, async () => {
      await load({ url: `${server.url}/`, connections: CONNECTIONS, duration: settings.warmup });
      return load({ url: `${server.url}/`, connections: CONNECTIONS, duration: settings.duration });
    });
  } finally {
    await server.stop();
  }
}

/**
 * Refresh over HTTP at 64 connections against a fresh server process on `databaseUrl`; also the
 * server's peak RSS. `sessions` are updated in place.
 *
 * @param {{ databaseUrl: string, masterKeyHex: string, sessions: Array<{ token: string, csrfToken: string, dead?: boolean }> }} target
 * @param {HttpSettings} settings
 */
export async function refreshOverHttp(target, settings) {
  const server = await startTessera({
    databaseUrl: target.databaseUrl,
    masterKeyHex: target.masterKeyHex,
    cpus: settings.serverCpus,
    ...(settings.nodeFlags ? { nodeFlags: settings.nodeFlags } : {}),
  });
  try {
    const common = {
      url: server.url,
      sessions: target.sessions,
      connections: CONNECTIONS,
      userAgent: CLIENT.userAgent,
    };
    const { result, cpu, wait, loadCpu } = await pinnedTo(settings.loadCpus, async () => {
      await refreshLoad({ ...common, duration: settings.warmup });
      const before = { cpu: server.cpuSeconds(), wait: server.waitSeconds(), load: process.cpuUsage() };
      const result = await refreshLoad({ ...common, duration: settings.duration });
      const cpu = server.cpuSeconds();
      const wait = server.waitSeconds();
      const load = process.cpuUsage(before.load);
      return {
        result,
        cpu: cpu === null || before.cpu === null ? null : cpu - before.cpu,
        wait: wait === null || before.wait === null ? null : wait - before.wait,
        loadCpu: (load.user + load.system) / 1e6,
      };
    });
    return {
      ...result,
      connections: CONNECTIONS,
      rss_mb_peak: server.peakRssMb(),
      // On a shared machine requests/s also measure the neighbours; these say who was short of CPU.
      server_cpu_us_per_request: cpu === null ? null : (cpu * 1e6) / Math.max(1, result.requests),
      server_cpu_utilisation: cpu === null ? null : cpu / settings.duration,
      server_cpu_wait_share: wait === null ? null : wait / settings.duration,
      load_generator_cpu_utilisation: loadCpu / settings.duration,
    };
  } finally {
    await server.stop();
  }
}

/**
 * A login flood (16 connections, production argon2id) and, at the same time, `GET /healthz` at a
 * steady 20 requests/s on its own connection: its p99 shows whether the event loop stays free
 * while argon2 runs. The server may use every CPU (see above).
 *
 * @param {{ databaseUrl: string, masterKeyHex: string, emails: string[] }} target
 * @param {HttpSettings} settings
 */
export async function loginOverHttp(target, settings) {
  const server = await startTessera({
    databaseUrl: target.databaseUrl,
    masterKeyHex: target.masterKeyHex,
    ...(settings.serverCpus !== undefined ? { cpus: allCpus() } : {}),
  });
  try {
    const requests = target.emails.map((email) => ({
      method: "POST",
      path: "/auth/login",
      headers: { "content-type": "application/json", "user-agent": CLIENT.userAgent },
      body: JSON.stringify({ email, password: LOGIN_PASSWORD }),
    }));
    const flood = (/** @type {number} */ duration) =>
      load({ url: server.url, connections: LOGIN_CONNECTIONS, duration, requests });
    const [login, healthz] = await pinnedTo(undefined, async () => {
      await flood(settings.warmup);
      return Promise.all([
        flood(settings.duration),
        load({
          url: `${server.url}/healthz`,
          connections: 1,
          overallRate: HEALTHZ_RATE,
          duration: settings.duration,
        }),
      ]);
    });
    const failed = await failedLoginMedians(server.url, target.emails[0] ?? "");
    return {
      ...login,
      connections: LOGIN_CONNECTIONS,
      healthz_p99_ms: healthz.p99_ms,
      healthz_non_2xx: healthz.non_2xx,
      failed_login_p50_ms: failed,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Median latency of a failed login for an unknown e-mail and for a wrong password, timed one at a
 * time and alternating so both see the same machine. Both must take the same path (one full
 * argon2id verification); the two medians side by side show it from outside. The server runs with
 * rate limits off (see startTessera), so no attempt is answered 429.
 *
 * @param {string} url
 * @param {string} knownEmail
 */
async function failedLoginMedians(url, knownEmail) {
  /** @type {{ unknown_email: number[], wrong_password: number[] }} */
  const samples = { unknown_email: [], wrong_password: [] };
  const attempt = async (/** @type {string} */ email, /** @type {number[]} */ into) => {
    const started = performance.now();
    const res = await fetch(`${url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "not the password of anyone" }),
    });
    await res.arrayBuffer();
    if (res.status !== 401) throw new Error(`a failed login answered ${res.status}, not 401`);
    into.push(performance.now() - started);
  };
  for (let i = 0; i < FAILED_LOGIN_SAMPLES; i++) {
    await attempt(`nobody-${i}@bench.invalid`, samples.unknown_email);
    await attempt(knownEmail, samples.wrong_password);
  }
  return { unknown_email: median(samples.unknown_email), wrong_password: median(samples.wrong_password) };
}
