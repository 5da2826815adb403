#!/usr/bin/env node
/**
 * Two builds of the server, refresh over HTTP, interleaved in one run — to show what a change to
 * the HTTP path buys on a machine whose speed drifts between minutes:
 *
 *   node bench/ab-refresh.js --save-before      copy every package's dist aside as "before"
 *   (change the code, npx tsc -b)
 *   node bench/ab-refresh.js [--rounds 8] [--slice 3]
 *
 * Both servers run against the same SQLite file and the same 5,000 sessions (one at a time), each
 * pinned to CPU 0 with the load generator on CPU 1, in alternating slices; prints each build's
 * median rps, p99, server CPU µs per request and the per-round ratios after ÷ before.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pinnedTo } from "./lib/http-bench.js";
import { tesseraRefresh } from "./lib/load.js";
import { CLIENT } from "./lib/seed.js";
import { canPin } from "./lib/server-process.js";
import { prepareSqlite } from "./lib/store-setup.js";
import { startTessera } from "./lib/tessera-server.js";
import { interleave } from "./peers/interleave.js";

const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {number} */ fallback) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const packages = fileURLToPath(new URL("../packages/", import.meta.url));
// Inside node_modules, each package as node_modules/@tessera/<name>: the copied server resolves
// the copied core and store, and every other dependency from the repository's node_modules.
const before = fileURLToPath(new URL("../node_modules/.cache/tessera-ab-before/", import.meta.url));
const beforeCli = join(before, "node_modules/@tessera/server/dist/cli.js");

if (args.includes("--save-before")) {
  rmSync(before, { recursive: true, force: true });
  for (const name of readdirSync(packages)) {
    if (!existsSync(join(packages, name, "dist"))) continue;
    const to = join(before, "node_modules/@tessera", name);
    cpSync(join(packages, name, "dist"), join(to, "dist"), { recursive: true });
    cpSync(join(packages, name, "package.json"), join(to, "package.json"));
  }
  console.log(`saved every package's dist as the "before" build (${before})`);
  process.exit(0);
}
if (!existsSync(beforeCli)) {
  console.error("no before build: run node bench/ab-refresh.js --save-before first");
  process.exit(2);
}

const pin = canPin();
const dir = mkdtempSync(join(tmpdir(), "tessera-ab-"));
try {
  const db = await prepareSqlite(dir, {
    sessions: 5000,
    loginUsers: 1,
    limit: { workers: 64, rounds: 1, roundMs: 100, warmupMs: 50 },
  });
  const cpus = pin ? { cpus: "0" } : {};
  /** @type {import("./peers/contenders.js").Contender[]} */
  const contenders = [];
  for (const [name, cli] of [
    ["after", join(packages, "server/dist/cli.js")],
    ["before", beforeCli],
  ]) {
    contenders.push({
      name: /** @type {string} */ (name),
      label: /** @type {string} */ (name),
      kind: "tessera",
      note: "",
      server: await startTessera({ ...db, ...cpus, cli: /** @type {string} */ (cli) }),
      sessions: db.sessions,
      protocol: tesseraRefresh(CLIENT.userAgent),
    });
  }
  try {
    const figures = await pinnedTo(pin ? "1" : undefined, () =>
      interleave(contenders, {
        rounds: option("--rounds", 8),
        sliceSeconds: option("--slice", 3),
        warmupSeconds: 2,
        onSlice: (line) => console.log(`  ${line}`),
      }),
    );
    for (const [name, f] of Object.entries(figures)) {
      console.log(
        `${name.padEnd(7)} ${Math.round(f.rps)}/s p99 ${f.p99_ms} ms, server CPU ${Math.round(f.server_cpu_us_per_request ?? 0)} µs/request, non-2xx ${f.non_2xx}`,
      );
    }
    const ratios = (figures.before?.round_ratios ?? []).map((r) => 1 / r);
    console.log(
      `after ÷ before per round: ${ratios.map((r) => r.toFixed(2)).join(" ")} (median rps ratio ${(1 / (figures.before?.ratio_to_tessera ?? 1)).toFixed(2)})`,
    );
  } finally {
    await Promise.all(contenders.map((c) => c.server.stop()));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
