import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { machine } from "../lib/machine.js";
import { startTessera } from "../lib/tessera-server.js";
import { judgeGrowth } from "./growth.js";
import { createClient } from "./http-client.js";
import { takeSample } from "./sampler.js";
import { createRecorder, virtualUser } from "./traffic.js";

/**
 * `npm run soak [-- --minutes N] [--users N] [--out file] [--plant-leak]` — mixed traffic against one
 * `tessera serve` on SQLite for N minutes (default 10; CI runs 2), sampling the server's RSS,
 * open file descriptors and event-loop delay. Exits 1 on any 5xx, transport error or unexpected
 * status, or on growth past the rule in growth.js. Writes bench/results/soak.json. Runs against
 * the built packages (`npm run soak` builds first). `--plant-leak` loads planted-leak.js into the
 * server (4 kB kept per request, a descriptor leaked per 200): the run must then fail.
 */

const PLANTED_LEAK = fileURLToPath(new URL("./planted-leak.js", import.meta.url));

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    users: { type: "string", default: "8" },
    out: { type: "string" },
    "plant-leak": { type: "boolean", default: false },
  },
});
// A planted-leak run never overwrites the published results.
const out =
  values.out ??
  (values["plant-leak"]
    ? join(tmpdir(), "tessera-soak-planted-leak.json")
    : fileURLToPath(new URL("../results/soak.json", import.meta.url)));
const minutes = Number(values.minutes);
const users = Number(values.users);
if (!(minutes >= 0.5 && minutes <= 24 * 60)) throw new Error("--minutes must be between 0.5 and 1440");
if (!(Number.isInteger(users) && users >= 1 && users <= 64)) throw new Error("--users must be 1–64");

const durationMs = minutes * 60_000;
// At least 60 samples, never more often than every 2 s.
const sampleMs = Math.max(2_000, Math.floor(durationMs / 60));
const warmupS = Math.round((durationMs / 1000) * 0.2);
const host = machine();
const dir = mkdtempSync(join(tmpdir(), "tessera-soak-"));

const server = await startTessera({
  databaseUrl: `sqlite:${join(dir, "soak.db")}`,
  masterKeyHex: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
  // Every request comes from 127.0.0.1: the per-IP mail budget would refuse registrations after a
  // few dozen (the bench's server turns the IP and login limits off for the same reason).
  env: {
    TESSERA_RATE_LIMIT_MAIL: "off",
    TESSERA_RATE_LIMIT_MAIL_IP: "off",
    ...(values["plant-leak"] ? { NODE_OPTIONS: `--import ${pathToFileURL(PLANTED_LEAK).href}` } : {}),
  },
});
const client = createClient(server.url, users);
const recorder = createRecorder();
const startedAt = performance.now();
const deadline = Date.now() + durationMs;
console.log(`soak: ${minutes} min, ${users} users, against ${server.url} (pid ${server.pid}); ${host.line}`);

/** @type {Awaited<ReturnType<typeof takeSample>>[]} */
const samples = [];
let sampling = true;
const sampler = (async () => {
  // Bounded: one sample per interval until the deadline, and never more than the count that fits.
  const maxSamples = Math.ceil(durationMs / sampleMs) + 2;
  while (sampling && samples.length < maxSamples) {
    samples.push(await takeSample(server.pid, server.url, startedAt));
    const last = samples.at(-1);
    if (samples.length % 10 === 1 && last) {
      console.log(
        `  t=${last.t_s}s rss=${last.rss_mb}MB fds=${last.fds} loop p99=${last.event_loop_p99_ms}ms requests=${recorder.summary().total}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
  }
})();

// A cycle is ~35 requests; no user can run more cycles than one per 10 ms of the run.
const maxCycles = Math.ceil(durationMs / 10);
await Promise.all(
  Array.from({ length: users }, (_, i) =>
    virtualUser({ client, recorder, deadline, maxCycles, label: `vu${i}` }),
  ),
);
sampling = false;
await sampler;
samples.push(await takeSample(server.pid, server.url, startedAt));
const durationS = (performance.now() - startedAt) / 1000;
client.close();
const stopped = await server.stop();
rmSync(dir, { recursive: true, force: true });

const requests = recorder.summary();
const growth = judgeGrowth(samples, warmupS);
const failures = [...growth.failures];
if (requests.five_xx > 0) failures.push(`${requests.five_xx} answers were 5xx`);
if (requests.transport_errors > 0) failures.push(`${requests.transport_errors} requests got no answer`);
if (requests.unexpected > 0) failures.push(`${requests.unexpected} answers had an unexpected status`);
if (requests.total === 0) failures.push("no request was answered");

const lagP99 = samples.map((s) => s.event_loop_p99_ms).filter((x) => x !== null);
const result = {
  date: new Date().toISOString(),
  planted_leak: values["plant-leak"],
  machine: host.line,
  load_average_at_start: host.load,
  load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
  minutes,
  duration_s: Math.round(durationS),
  users,
  sample_interval_s: sampleMs / 1000,
  warmup_s: warmupS,
  passed: failures.length === 0,
  failures,
  requests: { ...requests, per_second: Math.round(requests.total / durationS) },
  rss_mb: { ...growth.rss, peak: Math.max(...samples.map((s) => s.rss_mb)) },
  fds: { ...growth.fds, max: Math.max(...samples.map((s) => s.fds)) },
  event_loop_delay_ms: {
    source: "the server's /metrics (nodejs_eventloop_lag_p99_seconds / _max_seconds per scrape interval)",
    p99_median: lagP99.length ? lagP99.sort((a, b) => a - b)[Math.floor(lagP99.length / 2)] : null,
    max: Math.max(0, ...samples.map((s) => s.event_loop_max_ms ?? 0)),
  },
  server_exit: stopped,
  samples,
};
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

console.log(
  `soak ${result.passed ? "passed" : "FAILED"}: ${requests.total} requests in ${result.duration_s} s ` +
    `(${result.requests.per_second}/s), statuses ${JSON.stringify(requests.by_status)}, 5xx ${requests.five_xx}`,
);
console.log(
  `  RSS median first third ${growth.rss?.first_third_median_mb} MB → last third ${growth.rss?.last_third_median_mb} MB ` +
    `(limit ${growth.rss?.limit_mb}); fds ${growth.fds?.first_third_median} → ${growth.fds?.last_third_median} ` +
    `(limit ${growth.fds?.limit}); event-loop p99 median ${result.event_loop_delay_ms.p99_median} ms`,
);
for (const failure of failures) console.log(`  ✖ ${failure}`);
for (const example of requests.unexpected_examples) console.log(`  unexpected: ${example}`);
console.log(`  written to ${out}`);
process.exitCode = result.passed ? 0 : 1;
