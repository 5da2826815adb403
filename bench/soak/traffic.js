import { randomBytes } from "node:crypto";

const REFRESH_COOKIE = "__Secure-tessera_refresh";
const PASSWORD = "soak test password, long enough 42";
/** Rounds of refresh → me → sessions per session, between login and logout. */
const ROUNDS = 10;
const LATENCY_RESERVOIR = 50_000;

/** The statuses each operation answers when the server works; anything else is counted unexpected. */
export const EXPECTED = /** @type {const} */ ({
  register: 201,
  login: 200,
  refresh: 200,
  me: 200,
  sessions: 200,
  logout: 204,
  logout_all: 204,
});

/** @typedef {keyof typeof EXPECTED} Op */

/**
 * Counts answers by operation and status, keeps a bounded reservoir of latencies per operation,
 * and remembers a few examples of unexpected answers (status and error code only, never a token).
 *
 * @example
 * const recorder = createRecorder();
 * recorder.record("me", 200, 3.1);
 */
export function createRecorder() {
  /** @type {Record<string, { count: number, byStatus: Record<string, number>, latencies: number[], seen: number }>} */
  const ops = {};
  /** @type {string[]} */
  const examples = [];
  let transportErrors = 0;
  return {
    /**
     * @param {Op} op
     * @param {number | "transport_error"} status
     * @param {number} ms
     * @param {unknown} [body]
     */
    record(op, status, ms, body) {
      ops[op] ??= { count: 0, byStatus: {}, latencies: [], seen: 0 };
      const entry = ops[op];
      entry.count += 1;
      entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
      if (status === "transport_error") transportErrors += 1;
      if (status !== EXPECTED[op] && examples.length < 20) {
        const code = /** @type {{ error?: unknown } | null} */ (body)?.error;
        examples.push(`${op}: ${status}${typeof code === "string" ? ` ${code}` : ""}`);
      }
      // Reservoir sampling: every latency has the same chance to be kept, memory stays bounded.
      entry.seen += 1;
      if (entry.latencies.length < LATENCY_RESERVOIR) entry.latencies.push(ms);
      else {
        const slot = Math.floor(Math.random() * entry.seen);
        if (slot < LATENCY_RESERVOIR) entry.latencies[slot] = ms;
      }
    },
    summary() {
      let total = 0;
      let unexpected = 0;
      let fiveXx = 0;
      /** @type {Record<string, number>} */
      const byStatus = {};
      /** @type {Record<string, { count: number, by_status: Record<string, number>, p50_ms: number | null, p99_ms: number | null }>} */
      const byOp = {};
      for (const [op, entry] of Object.entries(ops)) {
        total += entry.count;
        for (const [status, count] of Object.entries(entry.byStatus)) {
          byStatus[status] = (byStatus[status] ?? 0) + count;
          if (status !== String(EXPECTED[/** @type {Op} */ (op)])) unexpected += count;
          if (Number(status) >= 500) fiveXx += count;
        }
        const sorted = [...entry.latencies].sort((a, b) => a - b);
        byOp[op] = {
          count: entry.count,
          by_status: entry.byStatus,
          p50_ms: percentile(sorted, 0.5),
          p99_ms: percentile(sorted, 0.99),
        };
      }
      return {
        total,
        by_status: byStatus,
        by_op: byOp,
        five_xx: fiveXx,
        transport_errors: transportErrors,
        unexpected,
        unexpected_examples: examples,
      };
    },
  };
}

/**
 * @param {number[]} sorted
 * @param {number} q
 */
function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  return value === null ? null : Math.round(value * 100) / 100;
}

/**
 * One simulated user, over and over until `deadline` or `maxCycles`: register, log in on two
 * devices, then ten rounds of refresh (cookie + CSRF, the cookie rotating each time), `/auth/me`
 * and `/auth/sessions`, and finally `/auth/logout` on even cycles, `/auth/logout-all` on odd ones.
 * Every step checks its status; a session that broke is abandoned and the next cycle starts.
 *
 * @example
 * await virtualUser({ client, recorder, deadline: Date.now() + 60_000, maxCycles: 10_000, label: "vu0" });
 *
 * @param {{ client: ReturnType<typeof import("./http-client.js").createClient>, recorder: ReturnType<typeof createRecorder>, deadline: number, maxCycles: number, label: string }} options
 */
export async function virtualUser(options) {
  const { client, recorder } = options;
  /**
   * @param {Op} op
   * @param {string} method
   * @param {string} path
   * @param {{ json?: unknown, headers?: Record<string, string> }} [init]
   */
  const step = async (op, method, path, init) => {
    const started = performance.now();
    try {
      const res = await client.send(method, path, init);
      recorder.record(op, res.status, performance.now() - started, res.body);
      return res.status === EXPECTED[op] ? res : null;
    } catch {
      recorder.record(op, "transport_error", performance.now() - started);
      return null;
    }
  };
  const prefix = `${options.label}-${randomBytes(4).toString("hex")}`;

  for (let cycle = 0; cycle < options.maxCycles && Date.now() < options.deadline; cycle += 1) {
    const email = `${prefix}-${cycle}@soak.example.test`;
    if (!(await step("register", "POST", "/auth/register", { json: { email, password: PASSWORD } })))
      continue;
    const first = await step("login", "POST", "/auth/login", { json: { email, password: PASSWORD } });
    const second = await step("login", "POST", "/auth/login", { json: { email, password: PASSWORD } });
    if (!first || !second) continue;
    let session = sessionOf(first);
    for (let round = 0; round < ROUNDS && session && Date.now() < options.deadline; round += 1) {
      const refreshed = await step("refresh", "POST", "/auth/refresh", {
        headers: { cookie: `${REFRESH_COOKIE}=${session.cookie}`, "x-csrf-token": session.csrf },
      });
      session = refreshed ? sessionOf(refreshed) : null;
      if (!session) break;
      const bearer = { authorization: `Bearer ${session.access}` };
      await step("me", "GET", "/auth/me", { headers: bearer });
      await step("sessions", "GET", "/auth/sessions", { headers: bearer });
    }
    if (!session) continue;
    if (cycle % 2 === 0) {
      await step("logout", "POST", "/auth/logout", {
        headers: { cookie: `${REFRESH_COOKIE}=${session.cookie}`, "x-csrf-token": session.csrf },
      });
      const other = sessionOf(second);
      if (other) {
        await step("logout", "POST", "/auth/logout", {
          headers: { cookie: `${REFRESH_COOKIE}=${other.cookie}`, "x-csrf-token": other.csrf },
        });
      }
    } else {
      await step("logout_all", "POST", "/auth/logout-all", {
        headers: { authorization: `Bearer ${session.access}` },
      });
    }
  }
}

/**
 * The refresh cookie, CSRF token and access token of a login or refresh answer.
 *
 * @param {{ setCookies: string[], body: any }} res
 */
function sessionOf(res) {
  const line = res.setCookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  const cookie = line?.split(";")[0]?.slice(REFRESH_COOKIE.length + 1);
  const csrf = res.body?.csrf_token;
  const access = res.body?.access_token;
  if (!cookie || typeof csrf !== "string" || typeof access !== "string") return null;
  return { cookie, csrf, access };
}
