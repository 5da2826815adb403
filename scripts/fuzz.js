#!/usr/bin/env node
// `npm run fuzz [-- --long | --runs N] [--seed S]`: the fuzz suite of the server's routes
// (packages/server/src/defence/fuzz-routes.test.ts) with more cases than `npm test` runs (3,000).
// --long runs 50,000; --runs sets any count; --seed replays a run fast-check reported.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { long: { type: "boolean", default: false }, runs: { type: "string" }, seed: { type: "string" } },
});
const runs = values.runs ?? (values.long ? "50000" : "3000");
if (!/^\d+$/.test(runs) || Number(runs) < 1 || Number(runs) > 10_000_000) {
  console.error("--runs must be a whole number between 1 and 10,000,000");
  process.exit(2);
}
const env = { ...process.env, TESSERA_FUZZ_RUNS: runs };
if (values.seed !== undefined) env.TESSERA_FUZZ_SEED = values.seed;
const result = spawnSync("npx", ["vitest", "run", "packages/server/src/defence/fuzz-routes.test.ts"], {
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
