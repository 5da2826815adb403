import type { Registry } from "prom-client";

/** Tag of the `/metrics` messages between cluster workers and the primary. */
export const METRICS_MESSAGE = "tessera-metrics";

/** One worker's registry, as `registry.getMetricsAsJSON()` gives it. */
export type RegistryJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/**
 * The `/metrics` exchange: a worker asks the primary for the machine's text (`collect`), the
 * primary asks every serving worker for its registry (`report`), each answers (`reported`), and
 * the primary sends the aggregated text back to the asking worker (`answer`).
 */
export type MetricsMessage =
  | { tag: typeof METRICS_MESSAGE; op: "collect"; id: number }
  | { tag: typeof METRICS_MESSAGE; op: "answer"; id: number; text: string }
  | { tag: typeof METRICS_MESSAGE; op: "report"; id: number }
  | { tag: typeof METRICS_MESSAGE; op: "reported"; id: number; metrics: RegistryJson };

/**
 * Whether `message` is one of ours, with operation `op` (cluster's own messages share the channel).
 *
 * @example
 * if (isMetricsMessage(message, "report")) void report(message.id);
 */
export function isMetricsMessage<Op extends MetricsMessage["op"]>(
  message: unknown,
  op: Op,
): message is Extract<MetricsMessage, { op: Op }> {
  if (typeof message !== "object" || message === null) return false;
  const m = message as { tag?: unknown; op?: unknown };
  return m.tag === METRICS_MESSAGE && m.op === op;
}
