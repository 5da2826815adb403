import { AggregatorRegistry, Gauge } from "prom-client";
import {
  isMetricsMessage,
  METRICS_MESSAGE,
  type MetricsMessage,
  type RegistryJson,
} from "./metrics-messages.js";

/** How long the primary waits for a worker's registry before answering without it. */
export const REPORT_TIMEOUT_MS = 2_000;

/** A worker as the primary sees it: `cluster.Worker`. */
export interface MetricsWorker {
  isConnected(): boolean;
  send(message: MetricsMessage, callback: (error: Error | null) => void): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/**
 * The primary's side of `/metrics` under `tessera serve --workers N`: asked by any worker, it asks
 * every serving worker for its registry (`getMetricsAsJSON()`) and merges what arrives within
 * {@link REPORT_TIMEOUT_MS} with prom-client's `AggregatorRegistry.aggregate` (counters and
 * histograms summed; each process metric as prom-client defines it: sums for memory and CPU,
 * averages for event-loop lag, the first for the Node version). Two gauges say whose numbers are
 * in: `tessera_cluster_workers_reporting` and `tessera_cluster_workers_missing` (serving, but no
 * answer in time). A worker that exited takes its counts with it.
 *
 * @example
 * const host = hostClusterMetrics(() => [...listening]);
 * cluster.on("fork", (worker) => host.attach(worker));
 */
export function hostClusterMetrics(
  serving: () => readonly MetricsWorker[],
  timeoutMs = REPORT_TIMEOUT_MS,
): { attach(worker: MetricsWorker): void } {
  const pending = new Map<number, (metrics: RegistryJson) => void>();
  let nextId = 1;

  const ask = (worker: MetricsWorker) =>
    new Promise<RegistryJson | null>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => settle(null), timeoutMs);
      const settle = (metrics: RegistryJson | null) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(metrics);
      };
      pending.set(id, settle);
      // A worker gone meanwhile cannot answer: left out at once, not after the timeout.
      worker.send({ tag: METRICS_MESSAGE, op: "report", id }, (error) => {
        if (error) settle(null);
      });
    });

  const machineText = async (): Promise<string> => {
    const answers = await Promise.all(
      serving()
        .filter((w) => w.isConnected())
        .map(ask),
    );
    const reported = answers.filter((a): a is RegistryJson => a !== null);
    const registry = AggregatorRegistry.aggregate(reported);
    const gauge = (name: string, help: string, value: number) =>
      new Gauge({ name, help, registers: [registry] }).set(value);
    gauge("tessera_cluster_workers_reporting", "Workers whose metrics this answer sums.", reported.length);
    gauge(
      "tessera_cluster_workers_missing",
      `Serving workers that did not report within ${timeoutMs} ms (left out of this answer).`,
      answers.length - reported.length,
    );
    return registry.metrics();
  };

  return {
    attach(worker) {
      worker.on("message", (message) => {
        if (isMetricsMessage(message, "reported")) pending.get(message.id)?.(message.metrics);
        else if (isMetricsMessage(message, "collect")) {
          void machineText().then((text) => {
            // The asking worker gone meanwhile needs no answer.
            if (worker.isConnected()) {
              worker.send({ tag: METRICS_MESSAGE, op: "answer", id: message.id, text }, () => {});
            }
          });
        }
      });
    },
  };
}
