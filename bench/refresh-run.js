#!/usr/bin/env node
/**
 * One refresh-over-HTTP measurement, for comparing a single change without the whole bench:
 * 5,000 SQLite sessions, 64 connections, 15 s after a 3 s warm-up, the server pinned to CPU 0
 * and the load generator to CPU 1 as in `run.js`. Prints one line per run; writes no results.
 *
 *   node bench/refresh-run.js                 the small store
 *   node bench/refresh-run.js --grow 1000000  the small store, then the same file grown by N sessions
 *   node bench/refresh-run.js --unpinned      nothing pinned (the server may use both CPUs)
 *   node bench/refresh-run.js --profile       also write the server's CPU profile (--cpu-prof) to
 *                                             $TMPDIR/tessera-bench-profiles; read it with
 *                                             node bench/profile-summary.js <file>
 *
 * Build first (`npx tsc -b`): it runs the server from `packages/server/dist`, like `run.js`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { refreshOverHttp } from "./lib/http-bench.js";
import { growSqliteStore } from "./lib/seed.js";
import { canPin } from "./lib/server-process.js";
import { prepareSqlite } from "./lib/store-setup.js";

const args = process.argv.slice(2);
const growIndex = args.indexOf("--grow");
const grow = growIndex === -1 ? 0 : Number(args[growIndex + 1]);
const pin = !args.includes("--unpinned") && canPin();
const profileDir = join(tmpdir(), "tessera-bench-profiles");
const http = {
  duration: 15,
  warmup: 3,
  serverCpus: pin ? "0" : undefined,
  loadCpus: pin ? "1" : undefined,
  ...(args.includes("--profile") ? { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {}),
};

/**
 * @param {string} label
 * @param {Awaited<ReturnType<typeof refreshOverHttp>>} r
 */
const show = (label, r) =>
  console.log(
    `${label}: ${Math.round(r.rps)}/s p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms, server CPU ${Math.round(r.server_cpu_us_per_request ?? 0)} µs/request, busy ${Math.round((r.server_cpu_utilisation ?? 0) * 100)}%, peak RSS ${Math.round(r.rss_mb_peak ?? 0)} MB, non-2xx ${r.non_2xx}`,
  );

const dir = mkdtempSync(join(tmpdir(), "tessera-refresh-run-"));
try {
  const db = await prepareSqlite(dir, {
    sessions: 5000,
    loginUsers: 20,
    limit: { workers: 64, rounds: 1, roundMs: 300, warmupMs: 100 },
  });
  show(`small store${pin ? "" : " (unpinned)"}`, await refreshOverHttp(db, http));
  if (grow > 0) {
    growSqliteStore(db.path, grow);
    show(`grown by ${grow.toLocaleString("en-US")}`, await refreshOverHttp(db, http));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
