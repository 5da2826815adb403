/**
 * Turns the raw results into the three outputs: the console table (every figure beside its limit
 * and the ratio, `report-table.js`), the performance targets with ✔/✖ (`report-targets.js`), and
 * the rows the chart draws (`report-chart.js`); how figures are written is in `report-format.js`.
 */

export { chartRows } from "./report-chart.js";
export { table } from "./report-table.js";
export { sessionTargets, targets } from "./report-targets.js";
