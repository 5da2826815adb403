#!/usr/bin/env node
/**
 * Only the `--workers` comparison of `run.js`: refresh over HTTP with `tessera serve --workers 1`
 * and `--workers 2` on one SQLite file (5,000 sessions, 64 connections), nothing pinned, in
 * alternating slices. Prints the figures; writes no results (`npm run bench` does).
 *
 *   node bench/workers-run.js [--rounds 6] [--slice 5]
 *
 * Build first (`npx tsc -b`): it runs the server from `packages/server/dist`, like `run.js`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { machine } from "./lib/machine.js";
import { prepareSqlite } from "./lib/store-setup.js";
import { workersComparison, workersLine } from "./lib/workers-bench.js";

const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};

const host = machine();
console.log(`${host.line}; load average ${host.load.join(" ")}`);
const dir = mkdtempSync(join(tmpdir(), "tessera-workers-run-"));
try {
  const db = await prepareSqlite(dir, {
    sessions: 5000,
    loginUsers: 2,
    limit: { workers: 64, rounds: 1, roundMs: 300, warmupMs: 100 },
  });
  const result = await workersComparison(db, {
    rounds: option("--rounds", 6),
    sliceSeconds: option("--slice", 5),
    warmup: 2,
  });
  for (const line of workersLine(result)) console.log(line);
  console.log(`load average at the end ${machine().load.join(" ")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
