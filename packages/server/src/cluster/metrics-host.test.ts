import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../http/metrics.js";
import { clusterExposition, type MetricsChannel } from "./metrics-client.js";
import { hostClusterMetrics, type MetricsWorker } from "./metrics-host.js";
import type { MetricsMessage } from "./metrics-messages.js";

/** A worker ↔ primary pair of IPC ends, in one process (messages cross a JSON round trip, as IPC does). */
function pair(options: { answers: boolean }) {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  const copy = (message: MetricsMessage) => JSON.parse(JSON.stringify(message)) as unknown;
  const primarySide: MetricsWorker = {
    isConnected: () => true,
    send: (message, callback) =>
      setImmediate(() => {
        toWorker.emit("message", copy(message));
        callback(null);
      }),
    on: (_event, listener) => toPrimary.on("message", listener),
  };
  const workerSide: MetricsChannel = {
    connected: true,
    send: (message, callback) => {
      // A worker that hangs (busy, stuck) never answers the primary's `report`.
      if (message.op === "reported" && !options.answers) return;
      setImmediate(() => {
        toPrimary.emit("message", copy(message));
        callback(null);
      });
    },
    on: (_event, listener) => toWorker.on("message", listener),
  };
  return { primarySide, workerSide };
}

describe("the machine's /metrics (cluster primary)", () => {
  it("sums every worker's counters, and a worker that does not answer in time is left out, counted as missing", async () => {
    const workers = [pair({ answers: true }), pair({ answers: true }), pair({ answers: false })];
    const host = hostClusterMetrics(() => workers.map((w) => w.primarySide), 50);
    for (const w of workers) host.attach(w.primarySide);
    const metrics = workers.map((w) =>
      createMetrics({ processMetrics: false, exposition: clusterExposition(w.workerSide) }),
    );
    metrics.forEach((m, i) => {
      m.logins.inc({ outcome: "success" }, i + 1);
    });

    const text = await metrics[0]?.exposition();
    expect(text).toContain('tessera_logins_total{outcome="success"} 3\n'); // 1 + 2; the third is missing
    expect(text).toContain("tessera_cluster_workers_reporting 2\n");
    expect(text).toContain("tessera_cluster_workers_missing 1\n");
  });

  it("without a cluster, /metrics is this process's registry", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.logins.inc({ outcome: "success" }, 4);
    const text = await metrics.exposition();
    expect(text).toContain('tessera_logins_total{outcome="success"} 4\n');
    expect(text).not.toContain("tessera_cluster_workers");
  });
});
