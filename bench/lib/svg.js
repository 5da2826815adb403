/**
 * A small horizontal bar chart as SVG text, no dependency: one row per figure, its ratio to its
 * limit as bars (Tessera first, other libraries beside it), the target as a red tick.
 */

const COLORS = { tessera: "#2563eb", jose: "#9ca3af", "fast-jwt": "#d1d5db" };
const LABEL_W = 230;
const PLOT_W = 460;
const BAR_H = 9;
const ROW_GAP = 10;
const MAX_RATIO = 1.5;

/** @param {string} s */
function escapeXml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * @example
 * writeFileSync("latest.svg", chart(chartRows(results), { title: "…", subtitle: machineLine }));
 *
 * @param {ReturnType<typeof import("./report.js").chartRows>} rows
 * @param {{ title: string, subtitle: string }} text
 * @returns {string}
 */
export function chart(rows, text) {
  const x = (/** @type {number} */ r) => LABEL_W + (Math.min(r, MAX_RATIO) / MAX_RATIO) * PLOT_W;
  const top = 64;
  const parts = [];
  let y = top;
  for (const row of rows) {
    const height = row.bars.length * (BAR_H + 2);
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + height / 2 + 4}" text-anchor="end">${escapeXml(row.label)}</text>`,
    );
    row.bars.forEach((bar, i) => {
      const by = y + i * (BAR_H + 2);
      const color = COLORS[/** @type {keyof typeof COLORS} */ (bar.name)] ?? "#2563eb";
      parts.push(
        `<rect x="${LABEL_W}" y="${by}" width="${(x(bar.ratio) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${color}"><title>${escapeXml(bar.name)} ${bar.ratio.toFixed(2)}×</title></rect>`,
        `<text x="${(Math.max(x(bar.ratio), row.target === undefined ? 0 : x(row.target) + 1) + 4).toFixed(1)}" y="${by + BAR_H - 1}" class="v">${bar.ratio.toFixed(2)}${i > 0 || row.bars.length > 1 ? ` ${escapeXml(bar.name)}` : ""}</text>`,
      );
    });
    if (row.target !== undefined) {
      const tx = x(row.target).toFixed(1);
      parts.push(
        `<line x1="${tx}" x2="${tx}" y1="${y - 2}" y2="${y + height}" stroke="#dc2626" stroke-width="2"/>`,
      );
    }
    y += height + ROW_GAP;
  }
  const axis = [];
  for (let r = 0; r <= MAX_RATIO + 1e-9; r += 0.25) {
    const ax = x(r).toFixed(1);
    axis.push(
      `<line x1="${ax}" x2="${ax}" y1="${top - 6}" y2="${y - ROW_GAP + 2}" stroke="#e5e7eb"/>`,
      `<text x="${ax}" y="${y + 8}" text-anchor="middle" class="v">${r.toFixed(2)}×</text>`,
    );
  }
  const width = LABEL_W + PLOT_W + 90;
  const height = y + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">
<style>.v { font-size: 10px; fill: #374151 } text { fill: #111827 }</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="22" font-size="15" font-weight="600">${escapeXml(text.title)}</text>
<text x="12" y="40" class="v">${escapeXml(text.subtitle)}</text>
<text x="12" y="54" class="v">bar = figure ÷ its limit; red tick = target; grey bars = jose, light grey = fast-jwt (capped at ${MAX_RATIO}×)</text>
${axis.join("\n")}
${parts.join("\n")}
<text x="12" y="${height - 10}" class="v">ratio to the limit measured in the same run</text>
</svg>
`;
}
