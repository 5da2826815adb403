import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { median } from "./harness.js";
import { refreshLoad } from "./load.js";
import { CLIENT } from "./seed.js";
import { startTessera } from "./tessera-server.js";

/**
 * Refresh over HTTP with `tessera serve --workers 1` against `--workers 2`, both on the same SQLite
 * file, nothing pinned (the workers and the load generator share every CPU, as in a deployment).
 * Both servers start first and stay up; the load alternates between them in short slices
 * (1 2, 2 1, 1 2, …) so machine drift hits both alike, and each round's ratio is its own.
 * Server CPU counts the primary and every worker.
 */

const CONNECTIONS = 64;

/**
 * CPU-seconds every CPU of the machine spent busy so far (Linux `/proc/stat`: all but idle and
 * iowait), or null elsewhere — with the server's and the load generator's own CPU it shows whether
 * a run was bounded by the machine rather than by the server.
 */
function machineBusySeconds() {
  try {
    const fields =
      readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return null;
  }
}

/**
 * @param {{ databaseUrl: string, masterKeyHex: string, sessions: Array<{ refreshToken: string, csrfToken: string, dead?: boolean }> }} target
 * @param {{ rounds: number, sliceSeconds: number, warmup: number }} settings
 */
export async function workersComparison(target, settings) {
  /** @type {Record<number, Awaited<ReturnType<typeof startTessera>>>} */
  const servers = {};
  try {
    for (const workers of [1, 2]) {
      servers[workers] = await startTessera({
        databaseUrl: target.databaseUrl,
        masterKeyHex: target.masterKeyHex,
        workers,
      });
    }
    const slice = async (/** @type {number} */ workers, /** @type {number} */ duration) => {
      const server = /** @type {(typeof servers)[number]} */ (servers[workers]);
      const common = {
        url: server.url,
        sessions: target.sessions,
        connections: CONNECTIONS,
        userAgent: CLIENT.userAgent,
      };
      const before = server.treeCpuSeconds();
      const machineBefore = machineBusySeconds();
      const loadBefore = process.cpuUsage();
      const result = await refreshLoad({ ...common, duration });
      const loadUsed = process.cpuUsage(loadBefore);
      const machineAfter = machineBusySeconds();
      const after = server.treeCpuSeconds();
      const cpu = before === null || after === null ? null : after - before;
      const machine = machineBefore === null || machineAfter === null ? null : machineAfter - machineBefore;
      return {
        rps: result.rps,
        p99_ms: result.p99_ms,
        failed: result.non_2xx + result.errors,
        cpu_us_per_request: cpu === null ? null : (cpu * 1e6) / Math.max(1, result.requests),
        cpu_utilisation: cpu === null ? 0 : cpu / duration,
        load_cpu_utilisation: (loadUsed.user + loadUsed.system) / 1e6 / duration,
        load_cpu_us_per_request: (loadUsed.user + loadUsed.system) / Math.max(1, result.requests),
        machine_cpu_utilisation: machine === null ? null : machine / duration,
      };
    };
    for (const workers of [1, 2]) await slice(workers, settings.warmup);

    /** @type {Record<number, Array<Awaited<ReturnType<typeof slice>>>>} */
    const runs = { 1: [], 2: [] };
    for (let round = 0; round < settings.rounds; round++) {
      for (const workers of round % 2 === 0 ? [1, 2] : [2, 1]) {
        runs[workers]?.push(await slice(workers, settings.sliceSeconds));
      }
    }
    const summary = (/** @type {number} */ workers) => {
      const list = runs[workers] ?? [];
      const cpu = list.map((r) => r.cpu_us_per_request).filter((x) => x !== null);
      return {
        rps: median(list.map((r) => r.rps)),
        p99_ms: median(list.map((r) => r.p99_ms)),
        server_cpu_us_per_request: cpu.length > 0 ? median(/** @type {number[]} */ (cpu)) : null,
        /** CPUs the server's processes kept busy (1.0 = one whole CPU). */
        server_cpu_utilisation: median(list.map((r) => r.cpu_utilisation)),
        /** CPUs the load generator (this process) kept busy. */
        load_generator_cpu_utilisation: median(list.map((r) => r.load_cpu_utilisation)),
        load_generator_cpu_us_per_request: median(list.map((r) => r.load_cpu_us_per_request)),
        /** CPUs the whole machine kept busy (everything, neighbours included); null off Linux. */
        machine_cpu_utilisation: list.every((r) => r.machine_cpu_utilisation !== null)
          ? median(list.map((r) => /** @type {number} */ (r.machine_cpu_utilisation)))
          : null,
        failed: list.reduce((n, r) => n + r.failed, 0),
        round_rps: list.map((r) => Math.round(r.rps)),
      };
    };
    const roundRatios = (runs[1] ?? []).map((one, i) => (runs[2]?.[i]?.rps ?? 0) / Math.max(1, one.rps));
    const one = summary(1);
    const two = summary(2);
    // What 1.5× --workers 1 would take at --workers 2's measured cost per request, server and load
    // generator together: more CPUs than the machine has means the target cannot be reached here
    // by the server alone, whatever it does with its share.
    const perRequestUs = (two.server_cpu_us_per_request ?? 0) + two.load_generator_cpu_us_per_request;
    const cpusFor1_5x = (1.5 * one.rps * perRequestUs) / 1e6;
    return {
      1: one,
      2: two,
      ratio: median(roundRatios),
      round_ratios: roundRatios,
      cpus_needed_for_1_5x: cpusFor1_5x,
      cpus: availableParallelism(),
    };
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

/**
 * The comparison as printable lines.
 *
 * @param {Awaited<ReturnType<typeof workersComparison>>} result
 * @returns {string[]}
 */
export function workersLine(result) {
  const one = (/** @type {1 | 2} */ n) => {
    const r = result[n];
    const cpu =
      r.server_cpu_us_per_request === null ? "n/a" : `${Math.round(r.server_cpu_us_per_request)} µs`;
    return `--workers ${n}: ${Math.round(r.rps)}/s p99 ${Math.round(r.p99_ms)} ms, server CPU ${cpu}/request (primary + workers), ${r.server_cpu_utilisation.toFixed(2)} CPUs busy, rounds ${r.round_rps.join(" ")}${r.failed > 0 ? `, ${r.failed} failed` : ""}`;
  };
  const spread = result.round_ratios.map((x) => x.toFixed(2)).join(" ");
  return [
    one(1),
    one(2),
    `ratio --workers 2 / --workers 1: ${result.ratio.toFixed(2)}× (per round: ${spread})`,
    `CPU: --workers 2 kept ${result[2].server_cpu_utilisation.toFixed(2)} CPUs busy in the server and ${result[2].load_generator_cpu_utilisation.toFixed(2)} in the load generator` +
      (result[2].machine_cpu_utilisation === null
        ? ""
        : ` (the whole machine: ${result[2].machine_cpu_utilisation.toFixed(2)} of ${result.cpus})`) +
      `; 1.5× --workers 1 at that cost per request needs ${result.cpus_needed_for_1_5x.toFixed(2)} CPUs`,
  ];
}

/**
 * The comparison as written to `latest.json` (`workers.{1,2}.{rps, p99_ms, server_cpu_us_per_request}`,
 * `workers.ratio` and the per-round ratios).
 *
 * @param {Awaited<ReturnType<typeof workersComparison>>} result
 */
export function workersFigure(result) {
  const one = (/** @type {1 | 2} */ n) => ({
    rps: Math.round(result[n].rps),
    p99_ms: Math.round(result[n].p99_ms * 100) / 100,
    server_cpu_us_per_request:
      result[n].server_cpu_us_per_request === null ? null : Math.round(result[n].server_cpu_us_per_request),
    server_cpu_utilisation: Math.round(result[n].server_cpu_utilisation * 100) / 100,
    load_generator_cpu_utilisation: Math.round(result[n].load_generator_cpu_utilisation * 100) / 100,
    load_generator_cpu_us_per_request: Math.round(result[n].load_generator_cpu_us_per_request),
    machine_cpu_utilisation:
      result[n].machine_cpu_utilisation === null
        ? null
        : Math.round(result[n].machine_cpu_utilisation * 100) / 100,
    failed: result[n].failed,
    round_rps: result[n].round_rps,
  });
  return {
    1: one(1),
    2: one(2),
    ratio: Math.round(result.ratio * 100) / 100,
    round_ratios: result.round_ratios.map((x) => Math.round(x * 100) / 100),
    pinned: false,
    connections: CONNECTIONS,
    cpus: result.cpus,
    cpus_needed_for_1_5x: Math.round(result.cpus_needed_for_1_5x * 100) / 100,
  };
}
