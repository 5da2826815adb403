import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { refreshLoad } from "./lib/load.js";
import { CLIENT } from "./lib/seed.js";
import { prepareSqlite } from "./lib/store-setup.js";
import { startTessera } from "./lib/tessera-server.js";
const dir = mkdtempSync(join(tmpdir(), "tessera-prof-"));
const db = await prepareSqlite(dir, { sessions: 3000, loginUsers: 1, limit: { workers: 8, rounds: 1, roundMs: 100, warmupMs: 50 } });
for (const workers of [1, 2]) {
  const out = `/tmp/wprof/w${workers}`;
  const server = await startTessera({ databaseUrl: db.databaseUrl, masterKeyHex: db.masterKeyHex, workers, nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${out}`] });
  const common = { url: server.url, sessions: db.sessions, connections: 64, userAgent: CLIENT.userAgent };
  await refreshLoad({ ...common, duration: 2 });
  const before = server.treeCpuSeconds();
  const r = await refreshLoad({ ...common, duration: 6 });
  const cpu = server.treeCpuSeconds() - before;
  console.log(workers, Math.round(r.rps), "cpu us/req", Math.round(cpu * 1e6 / r.requests), "util", (cpu / 6).toFixed(2));
  await server.stop();
}
rmSync(dir, { recursive: true, force: true });
