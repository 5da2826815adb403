#!/usr/bin/env node
/**
 * The peers benchmark on its own (`npm run bench` runs it too, inside the full bench):
 *
 *   node bench/peers/run.js                 full: 5,000 sessions each, 6 rounds of 3 s slices
 *   node bench/peers/run.js --quick         a fast check: 2,000 sessions, 3 rounds of 1.5 s slices
 *   node bench/peers/run.js --only tessera,oidc_provider_memory   some contenders only (Tessera first)
 *   node bench/peers/run.js --main-thread-only   pin only each server's main thread (its helper
 *                                           threads may use every CPU)
 *   node bench/peers/run.js --smoke --json-out <file>
 *                                           one round of tiny slices (the vitest test's mode);
 *                                           figures meaningless, only the checks and the shape
 *
 * Prints the table; with --json-out writes `{ peers }` there. Build first (`npx tsc -b`): Tessera
 * runs from packages/server/dist.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canPin } from "../lib/server-process.js";
import { prepareSqlite } from "../lib/store-setup.js";
import { peersBench, peersTable } from "./peers-bench.js";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const quick = args.includes("--quick");
const jsonOut = args.includes("--json-out") ? args[args.indexOf("--json-out") + 1] : undefined;
const only = args.includes("--only") ? args[args.indexOf("--only") + 1]?.split(",") : undefined;
const settings = smoke
  ? { sessions: 200, rounds: 1, sliceSeconds: 0.3, warmupSeconds: 0.2 }
  : quick
    ? { sessions: 2000, rounds: 3, sliceSeconds: 1.5, warmupSeconds: 1 }
    : { sessions: 5000, rounds: 6, sliceSeconds: 3, warmupSeconds: 2 };
const pin = canPin() && !args.includes("--unpinned");

const dir = mkdtempSync(join(tmpdir(), "tessera-peers-"));
try {
  const tessera = await prepareSqlite(dir, {
    sessions: settings.sessions,
    loginUsers: 1,
    limit: { workers: 64, rounds: 1, roundMs: 100, warmupMs: 50 },
  });
  const peers = await peersBench({
    dir,
    ...settings,
    serverCpus: pin ? "0" : undefined,
    loadCpus: pin ? "1" : undefined,
    tessera,
    ...(only ? { only } : {}),
    mainThreadOnly: args.includes("--main-thread-only"),
    log: smoke ? () => {} : (line) => console.log(line),
  });
  console.log(peersTable(peers).join("\n"));
  for (const [name, p] of Object.entries(peers)) {
    console.log(
      `${name}: server busy ${p.server_cpu_utilisation}, main thread waiting for a CPU ${p.server_cpu_wait_share}`,
    );
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ peers }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
