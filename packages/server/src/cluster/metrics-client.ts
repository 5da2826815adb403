import type { Registry } from "prom-client";
import { REPORT_TIMEOUT_MS } from "./metrics-host.js";
import { isMetricsMessage, METRICS_MESSAGE, type MetricsMessage } from "./metrics-messages.js";

/** The IPC channel to the primary: `process` in a cluster worker. */
export interface MetricsChannel {
  readonly connected: boolean;
  send(message: MetricsMessage, callback: (error: Error | null) => void): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/** How long a worker waits for the machine's text before answering with its own numbers. */
const ANSWER_TIMEOUT_MS = REPORT_TIMEOUT_MS + 1_000;

/**
 * The `/metrics` text of a cluster worker: the whole machine's, aggregated by the primary
 * (`hostClusterMetrics`). The worker also answers the primary's requests for its own registry.
 * Without the primary (it is gone, or did not answer in time) the worker answers with its own
 * registry alone.
 *
 * @example
 * createMetrics({ exposition: clusterExposition(process as MetricsChannel) });
 */
export function clusterExposition(channel: MetricsChannel): (registry: Registry) => () => Promise<string> {
  return (registry) => {
    const waiting = new Map<number, (text: string) => void>();
    let nextId = 1;
    channel.on("message", (message) => {
      if (isMetricsMessage(message, "answer")) waiting.get(message.id)?.(message.text);
      else if (isMetricsMessage(message, "report")) {
        void registry.getMetricsAsJSON().then((metrics) => {
          if (channel.connected)
            channel.send({ tag: METRICS_MESSAGE, op: "reported", id: message.id, metrics }, () => {});
        });
      }
    });
    return async () => {
      if (!channel.connected) return registry.metrics();
      const id = nextId++;
      const text = await new Promise<string | null>((resolve) => {
        const settle = (answer: string | null) => {
          clearTimeout(timer);
          resolve(answer);
        };
        const timer = setTimeout(() => settle(null), ANSWER_TIMEOUT_MS);
        waiting.set(id, settle);
        channel.send({ tag: METRICS_MESSAGE, op: "collect", id }, (error) => {
          if (error) settle(null);
        });
      });
      waiting.delete(id);
      return text ?? registry.metrics();
    };
  };
}
