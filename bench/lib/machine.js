import { cpus, loadavg, release, totalmem } from "node:os";

/**
 * The machine line printed above the results and stored in the JSON and the chart.
 *
 * @example
 * machine(); // { line: "2 × AMD EPYC, 23.5 GiB, Linux 6.1, Node v20.20.2", cpus: 2, load: [0.4, 0.6, 0.5] }
 */
export function machine() {
  const list = cpus();
  const model = (list[0]?.model ?? "unknown CPU").replace(/\s+/g, " ").trim();
  const memory = (totalmem() / 2 ** 30).toFixed(1);
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  return {
    line: `${list.length} × ${model}, ${memory} GiB, ${process.platform} ${release()}, Node ${process.version}`,
    cpus: list.length,
    load,
  };
}
