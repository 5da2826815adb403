import { readFileSync } from "node:fs";
import { relative } from "node:path";

/**
 * Prints the top self-time and inclusive-time functions of a V8 `.cpuprofile` (as written by
 * `node --cpu-prof`), so a profile can be read without a browser.
 *
 *   node bench/profile-summary.js <file.cpuprofile> [top=25] [filter]
 *
 * `filter` (a substring of a file path) limits the inclusive table to matching functions, e.g.
 * `packages/` for Tessera's own code. A last table charges every sample to the nearest frame on its
 * stack that belongs to a known part (store, core, server, pino, helmet, Fastify, Node's HTTP…).
 */

const [file, topArg, filter] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/profile-summary.js <file.cpuprofile> [top] [filter]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
/** @type {{ nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }>, samples: number[], timeDeltas: number[] }} */
const profile = JSON.parse(readFileSync(file, "utf8"));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** @param {{ callFrame: { functionName: string, url: string, lineNumber: number } }} node */
function label(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? relative(process.cwd(), url.replace(/^file:\/\//, "")) : "";
  return `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`.trim();
}

const self = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const node = byId.get(id);
  if (!node) return;
  const name = label(node);
  self.set(name, (self.get(name) ?? 0) + dt);
  // Inclusive: count each distinct function once per sample along the stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!n) break;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
});

/** @param {Map<string, number>} map @param {(name: string) => boolean} keep */
function print(title, map, keep) {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  const rows = [...map.entries()].filter(([name]) => keep(name)).sort((a, b) => b[1] - a[1]);
  for (const [name, us] of rows.slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}

print("self time", self, () => true);
print("inclusive time", inclusive, (name) => (filter ? name.includes(filter) : true));

/** Parts, by a substring of the file path, first match wins (most specific first). */
const PARTS = [
  ["store-sqlite", "@tessera/store-sqlite + better-sqlite3"],
  ["better-sqlite3", "@tessera/store-sqlite + better-sqlite3"],
  ["store-postgres", "@tessera/store-postgres + pg"],
  ["node_modules/pg", "@tessera/store-postgres + pg"],
  ["packages/core", "@tessera/core (crypto included)"],
  ["packages/server", "@tessera/server routes and hooks"],
  ["pino", "pino (request log)"],
  ["sonic-boom", "pino (request log)"],
  ["redact", "pino (request log)"],
  ["helmet", "@fastify/helmet"],
  ["prom-client", "prom-client (metrics)"],
  ["@fastify/cookie", "@fastify/cookie"],
  ["@fastify/cors", "@fastify/cors"],
  ["fastify/", "fastify"],
  ["node:_http", "node:http + streams"],
  ["node:net", "node:http + streams"],
  ["streams", "node:http + streams"],
];
const VM = new Set(["(idle)", "(garbage collector)", "(program)"]);
const parts = new Map();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  let part = VM.has(byId.get(id)?.callFrame.functionName ?? "")
    ? byId.get(id)?.callFrame.functionName
    : undefined;
  for (let cur = id; part === undefined && cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur)?.callFrame.url ?? "";
    part = PARTS.find(([needle]) => url.includes(needle))?.[1];
  }
  part ??= "other (Node internals, start-up)";
  parts.set(part, (parts.get(part) ?? 0) + dt);
});
print("by part", parts, () => true);
