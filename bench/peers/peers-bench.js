import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { pinnedTo } from "../lib/http-bench.js";
import { allCpus } from "../lib/server-process.js";
import { startContenders } from "./contenders.js";
import { interleave, rotationCheck } from "./interleave.js";

/**
 * The peers benchmark end to end: start every contender (each pinned to `serverCpus`), check
 * that each really rotates, run the interleaved rounds with the load generator pinned to
 * `loadCpus`, stop them all. Returns the `peers` section of latest.json and the printed table.
 *
 * A rotating peer's figure counts only if its rotation check passed: otherwise its entry carries
 * `counts: false` and the table says why. better-auth is marked "no rotation" (it has none).
 *
 * With `mainThreadOnly`, only each server's main thread stays on `serverCpus`: its other threads
 * (libuv's pool, V8's GC helpers, worker threads) may run on every CPU — the event loop's
 * throughput without its own helpers competing for the one pinned CPU.
 *
 * @param {{ dir: string, sessions: number, rounds: number, sliceSeconds: number, warmupSeconds: number, serverCpus: string | undefined, loadCpus: string | undefined, tessera: Parameters<typeof startContenders>[0]["tessera"], only?: string[], mainThreadOnly?: boolean, log?: (line: string) => void }} options
 */
export async function peersBench(options) {
  const log = options.log ?? (() => {});
  const contenders = await startContenders({
    dir: options.dir,
    sessions: options.sessions,
    cpus: options.serverCpus,
    tessera: options.tessera,
    ...(options.only ? { only: options.only } : {}),
  });
  if (options.mainThreadOnly) {
    for (const c of contenders) {
      for (const tid of readdirSync(`/proc/${c.server.pid}/task`)) {
        if (tid !== String(c.server.pid))
          spawnSync("taskset", ["-p", "-c", allCpus(), tid], { stdio: "ignore" });
      }
    }
  }
  try {
    /** @type {Record<string, Awaited<ReturnType<typeof rotationCheck>>>} */
    const checks = {};
    for (const c of contenders) {
      if (c.kind === "gauge") continue;
      if (c.checkServer) {
        const server = await c.checkServer();
        try {
          checks[c.name] = await rotationCheck(c, server.url);
        } finally {
          await server.stop();
        }
      } else checks[c.name] = await rotationCheck(c);
      log(
        `${c.name}: spent token answered ${checks[c.name]?.first_status}, replayed ${checks[c.name]?.replay_status} → ${checks[c.name]?.rotates ? "rotates" : "does NOT rotate"}`,
      );
    }
    const figures = await pinnedTo(options.loadCpus, () =>
      interleave(contenders, {
        rounds: options.rounds,
        sliceSeconds: options.sliceSeconds,
        warmupSeconds: options.warmupSeconds,
        onSlice: log,
      }),
    );
    const peers = Object.fromEntries(
      contenders.map((c) => {
        const f = /** @type {(typeof figures)[string]} */ (figures[c.name]);
        const check = checks[c.name];
        return [
          c.name,
          {
            label: c.label,
            kind: c.kind,
            note: c.note,
            rotation_check: check ?? null,
            counts: c.kind === "gauge" || c.kind === "no_rotation" || check?.rotates === true,
            rps: Math.round(f.rps),
            p99_ms: round2(f.p99_ms),
            server_cpu_us_per_request:
              f.server_cpu_us_per_request === null ? null : Math.round(f.server_cpu_us_per_request),
            server_cpu_utilisation:
              f.server_cpu_utilisation === null ? null : round2(f.server_cpu_utilisation),
            server_cpu_wait_share: f.server_cpu_wait_share === null ? null : round2(f.server_cpu_wait_share),
            ratio_to_tessera: round2(f.ratio_to_tessera),
            round_ratios: f.round_ratios.map(round2),
            round_rps: f.round_rps.map(Math.round),
            requests: f.requests,
            non_2xx: f.non_2xx,
            errors: f.errors,
          },
        ];
      }),
    );
    return peers;
  } finally {
    await Promise.all(contenders.map((c) => c.server.stop()));
  }
}

/** @param {number} x */
function round2(x) {
  return Math.round(x * 100) / 100;
}

/**
 * The peers table: one line per contender, Tessera first.
 *
 * @param {Awaited<ReturnType<typeof peersBench>>} peers
 */
export function peersTable(peers) {
  const lines = [
    `${"contender".padEnd(36)}${"rps".padStart(8)}${"p99 ms".padStart(9)}${"CPU µs/req".padStart(12)}${"CPU used".padStart(10)}${"× Tessera".padStart(11)}   per-round ratios (min–max)   rotation`,
  ];
  for (const p of Object.values(peers)) {
    const spread =
      p.kind === "tessera"
        ? ""
        : `${Math.min(...p.round_ratios).toFixed(2)}–${Math.max(...p.round_ratios).toFixed(2)}`;
    const rotation =
      p.kind === "gauge"
        ? "n/a (speed gauge)"
        : p.kind === "no_rotation"
          ? "no rotation (same cookie works again)"
          : p.rotation_check?.rotates
            ? "rotates (replayed token refused)"
            : "FAILED the rotation check: figure does not count";
    lines.push(
      `${p.label.padEnd(36)}${p.rps.toLocaleString("en-US").padStart(8)}${String(p.p99_ms).padStart(9)}${String(p.server_cpu_us_per_request ?? "?").padStart(12)}${(p.server_cpu_utilisation === null ? "?" : `${Math.round(p.server_cpu_utilisation * 100)}%`).padStart(10)}${`${p.ratio_to_tessera.toFixed(2)}×`.padStart(11)}   ${spread.padEnd(27)}${rotation}`,
    );
  }
  return lines;
}

/**
 * The peers targets: Tessera ≥ 2× the best rotating peer on memory (node-oidc-provider's memory
 * adapter) and ≥ 3× every peer on SQLite, in the same interleaved run. A peer whose rotation
 * check failed is left out (its figure does not count); better-auth counts among the SQLite peers
 * though it does not rotate.
 *
 * @param {Awaited<ReturnType<typeof peersBench>>} peers
 * @returns {Array<{ name: string, ok: boolean, value: string }>}
 */
export function peersTargets(peers) {
  const out = [];
  const memory = peers.oidc_provider_memory;
  if (memory?.counts) {
    const lead = 1 / memory.ratio_to_tessera;
    out.push({
      name: "refresh ≥ 2× node-oidc-provider (memory)",
      ok: lead >= 2,
      value: `${lead.toFixed(2)}×`,
    });
  }
  const onSqlite = Object.entries(peers).filter(
    ([name, p]) => p.counts && p.kind !== "gauge" && name !== "tessera" && name !== "oidc_provider_memory",
  );
  for (const [, p] of onSqlite) {
    const lead = 1 / p.ratio_to_tessera;
    out.push({ name: `refresh ≥ 3× ${p.label} (SQLite)`, ok: lead >= 3, value: `${lead.toFixed(2)}×` });
  }
  return out;
}
