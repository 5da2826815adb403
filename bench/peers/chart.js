#!/usr/bin/env node
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The peers chart, an SVG bar chart written from the figures of one run: per contender its
 * refreshes/s as a ratio to Tessera's in the same interleaved rounds (the whisker spans the
 * per-round ratios) and its server CPU time per request. The speed gauge (a bare Fastify route)
 * is listed as text: it is no auth server and its bar would dwarf the rest.
 *
 *   node bench/peers/chart.js      reads bench/results/latest.json, writes bench/results/peers.svg
 */

const LABEL_W = 250;
const PLOT_W = 380;
const ROW_H = 26;
const COLORS = { tessera: "#2563eb", rotating: "#6b7280", no_rotation: "#d1d5db" };

/** @param {string} s */
const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * @example
 * writeFileSync("peers.svg", peersChart(results.peers, "2 × AMD EPYC · 2026-12-03"));
 *
 * @param {Record<string, { label: string, kind: string, rps: number, server_cpu_us_per_request: number | null, ratio_to_tessera: number, round_ratios: number[], counts: boolean }>} peers
 * @param {string} subtitle
 * @returns {string}
 */
export function peersChart(peers, subtitle) {
  // The scale reaches the largest per-round ratio of any auth server (the gauge is text only).
  const ratios = Object.values(peers).flatMap((p) => (p.kind === "gauge" ? [] : p.round_ratios));
  const MAX_RATIO = Math.max(1.25, Math.ceil(Math.max(...ratios) * 4) / 4);
  const x = (/** @type {number} */ r) => LABEL_W + (Math.min(r, MAX_RATIO) / MAX_RATIO) * PLOT_W;
  const top = 70;
  const parts = [];
  let y = top;
  const gauges = [];
  for (const p of Object.values(peers)) {
    if (p.kind === "gauge") {
      gauges.push(p);
      continue;
    }
    const color = COLORS[/** @type {keyof typeof COLORS} */ (p.kind)] ?? "#6b7280";
    const lo = Math.min(...p.round_ratios);
    const hi = Math.max(...p.round_ratios);
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end">${escapeXml(p.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y + 3}" width="${(x(p.ratio_to_tessera) - LABEL_W).toFixed(1)}" height="14" fill="${color}"/>`,
      p.kind === "tessera"
        ? ""
        : `<line x1="${x(lo).toFixed(1)}" x2="${x(hi).toFixed(1)}" y1="${y + 10}" y2="${y + 10}" stroke="#111827" stroke-width="1.5"/>`,
      `<text x="${(x(Math.max(p.ratio_to_tessera, hi)) + 6).toFixed(1)}" y="${y + 14}" class="v">${p.ratio_to_tessera.toFixed(2)}× · ${p.rps.toLocaleString("en-US")}/s · ${p.server_cpu_us_per_request ?? "?"} µs CPU/req${p.counts ? "" : " · rotation check FAILED"}</text>`,
    );
    y += ROW_H;
  }
  const axis = [];
  const step = MAX_RATIO > 2 ? 0.5 : 0.25;
  for (let r = 0; r <= MAX_RATIO + 1e-9; r += step) {
    const ax = x(r).toFixed(1);
    axis.push(
      `<line x1="${ax}" x2="${ax}" y1="${top - 4}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${ax}" y="${y + 14}" text-anchor="middle" class="v">${r.toFixed(2)}×</text>`,
    );
  }
  const notes = gauges.map(
    (g) =>
      `${g.label}: ${g.rps.toLocaleString("en-US")}/s = ${g.ratio_to_tessera.toFixed(2)}× Tessera, ${g.server_cpu_us_per_request ?? "?"} µs CPU/req`,
  );
  const width = LABEL_W + PLOT_W + 330;
  const height = y + 40 + notes.length * 14;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">
<style>.v { font-size: 10px; fill: #374151 } text { fill: #111827 }</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="22" font-size="15" font-weight="600">Refresh over HTTP, 64 connections, server pinned to one CPU: each contender ÷ Tessera</text>
<text x="12" y="40" class="v">${escapeXml(subtitle)}</text>
<text x="12" y="54" class="v">bar = median rps ÷ Tessera's; whisker = per-round ratios (interleaved slices); blue = Tessera, grey = rotating peers, light grey = no rotation</text>
${axis.join("\n")}
${parts.join("\n")}
${notes.map((n, i) => `<text x="12" y="${y + 32 + i * 14}" class="v">${escapeXml(n)}</text>`).join("\n")}
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(readFileSync(new URL("../results/latest.json", import.meta.url), "utf8"));
  if (!results.peers)
    throw new Error("bench/results/latest.json has no peers section: run npm run bench first");
  writeFileSync(
    new URL("../results/peers.svg", import.meta.url),
    peersChart(
      results.peers,
      `${results.machine} · ${String(results.date).slice(0, 16)} UTC · ${results.mode} mode`,
    ),
  );
  console.log("wrote bench/results/peers.svg");
}
