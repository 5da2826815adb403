import { createSqliteStore } from "@tessera/store-sqlite";
import { median } from "./harness.js";
import { pinnedTo } from "./http-bench.js";
import { refreshLimit } from "./limits.js";
import { refreshLoad } from "./load.js";
import { CLIENT, seedTessera } from "./seed.js";
import { startTessera } from "./tessera-server.js";

/**
 * Refresh over HTTP against its in-process limit, interleaved: one `tessera serve` process on the
 * SQLite file and, in this process, core's `refresh()` on the same file, alternating in slices
 * (limit, HTTP, HTTP, limit, …) so a neighbour's burst or the machine's drift lands on both. The
 * in-process slices run on the server's CPU (`serverCpus`) while the server is idle, the HTTP
 * slices with the load generator on `loadCpus`; each round gives its own ratio. Both rotate the
 * same sessions (updated in place), 64 chains / connections each.
 *
 * @example
 * const r = await refreshVsLimit(sqlite, { rounds: 6, sliceSeconds: 4, warmupSeconds: 2, serverCpus: "0", loadCpus: "1" });
 *
 * @param {{ path: string, databaseUrl: string, masterKeyHex: string, sessions: Array<{ token: string, csrfToken: string, dead?: boolean }> }} target
 * @param {{ rounds: number, sliceSeconds: number, warmupSeconds: number, serverCpus: string | undefined, loadCpus: string | undefined }} settings
 */
export async function refreshVsLimit(target, settings) {
  const store = createSqliteStore({ path: target.path });
  const server = await startTessera({
    databaseUrl: target.databaseUrl,
    masterKeyHex: target.masterKeyHex,
    cpus: settings.serverCpus,
  });
  try {
    const tessera = await seedTessera(store, new Uint8Array(Buffer.from(target.masterKeyHex, "hex")));
    const chains = 64;
    const inProcess = (/** @type {number} */ seconds) =>
      pinnedTo(settings.serverCpus, () =>
        refreshLimit(tessera, target.sessions, {
          workers: chains,
          rounds: 1,
          roundMs: seconds * 1000,
          warmupMs: 200,
          csrf: true,
        }),
      );
    const overHttp = async (/** @type {number} */ seconds) => {
      const before = server.cpuSeconds();
      const result = await pinnedTo(settings.loadCpus, () =>
        refreshLoad({
          url: server.url,
          sessions: target.sessions,
          connections: chains,
          duration: seconds,
          userAgent: CLIENT.userAgent,
        }),
      );
      const after = server.cpuSeconds();
      const cpuUs = before === null || after === null ? null : ((after - before) * 1e6) / result.requests;
      return { rps: result.rps, cpuUs, failed: result.non_2xx + result.errors };
    };
    await inProcess(settings.warmupSeconds);
    await overHttp(settings.warmupSeconds);
    /** @type {Array<{ limit: { perSecond: number, cpuUsPerOp: number }, http: Awaited<ReturnType<typeof overHttp>> }>} */
    const rounds = [];
    for (let round = 0; round < settings.rounds; round++) {
      if (round % 2 === 0) {
        const limit = await inProcess(settings.sliceSeconds);
        rounds.push({ limit, http: await overHttp(settings.sliceSeconds) });
      } else {
        const http = await overHttp(settings.sliceSeconds);
        rounds.push({ limit: await inProcess(settings.sliceSeconds), http });
      }
    }
    const cpu = rounds.map((r) => r.http.cpuUs).filter((x) => x !== null);
    const roundRatios = rounds.map((r) => r.http.rps / Math.max(1, r.limit.perSecond));
    return {
      ratio: median(roundRatios),
      round_ratios: roundRatios,
      http_rps: median(rounds.map((r) => r.http.rps)),
      limit_per_s: median(rounds.map((r) => r.limit.perSecond)),
      http_cpu_us_per_request: cpu.length > 0 ? median(/** @type {number[]} */ (cpu)) : null,
      limit_cpu_us_per_op: median(rounds.map((r) => r.limit.cpuUsPerOp)),
      failed: rounds.reduce((n, r) => n + r.http.failed, 0),
    };
  } finally {
    await server.stop();
    await store.close();
  }
}

/**
 * The result as one printable line.
 *
 * @param {Awaited<ReturnType<typeof refreshVsLimit>>} r
 */
export function refreshVsLimitLine(r) {
  const spread = r.round_ratios.map((x) => x.toFixed(2)).join(" ");
  const cpu = r.http_cpu_us_per_request === null ? "n/a" : `${Math.round(r.http_cpu_us_per_request)} µs`;
  return (
    `refresh over HTTP ${Math.round(r.http_rps)}/s (server CPU ${cpu}/request) vs in-process ` +
    `${Math.round(r.limit_per_s)}/s (${Math.round(r.limit_cpu_us_per_op)} µs/op), interleaved: ` +
    `${r.ratio.toFixed(2)}× (per round: ${spread})${r.failed > 0 ? `, ${r.failed} failed` : ""}`
  );
}
