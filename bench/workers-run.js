#!/usr/bin/env node
/**
 * Only the `--workers` comparison of `run.js`: refresh over HTTP with `tessera serve --workers 1`
 * and `--workers 2` on one SQLite file (5,000 sessions, 64 connections), nothing pinned, in
 * alternating slices. Prints the figures; with `--write`, also puts them into
 * bench/results/latest.json as its `workers` member (marked with this script and the date), leaving
 * every other figure of the last `npm run bench` as it was.
 *
 *   node bench/workers-run.js [--rounds 6] [--slice 5] [--write]
 *
 * Build first (`npx tsc -b`): it runs the server from `packages/server/dist`, like `run.js`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { machine } from "./lib/machine.js";
import { prepareSqlite } from "./lib/store-setup.js";
import { workersComparison, workersFigure, workersLine } from "./lib/workers-bench.js";

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
    warmup: 4,
  });
  for (const line of workersLine(result)) console.log(line);
  const loadAtEnd = machine().load;
  console.log(`load average at the end ${loadAtEnd.join(" ")}`);
  if (args.includes("--write")) {
    const path = new URL("./results/latest.json", import.meta.url);
    const latest = JSON.parse(readFileSync(path, "utf8"));
    latest.workers = {
      ...workersFigure(result),
      source: "bench/workers-run.js",
      date: new Date().toISOString(),
      load_average: { start: host.load, end: loadAtEnd },
    };
    writeFileSync(path, `${JSON.stringify(latest, null, 2)}\n`);
    console.log("wrote the workers member of bench/results/latest.json");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
