import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The server's Prometheus metrics, on a registry of its own (so several servers can share a process). */
export interface ServerMetrics {
  registry: Registry;
  /** The text `GET /metrics` answers: this registry's, or the whole machine's in a cluster worker. */
  exposition: () => Promise<string>;
  logins: Counter<"outcome">;
  refreshes: Counter<"outcome">;
  reuseDetections: Counter;
  revocations: Counter<"reason">;
  requestDuration: Histogram<"method" | "route" | "status_code">;
}

/**
 * Creates the metrics: logins and refreshes by outcome, reuse detections, revocations by reason,
 * request latency by route (the route pattern, never the raw URL), and Node's process metrics.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.logins.inc({ outcome: "success" });
 */
export function createMetrics(
  options: {
    processMetrics?: boolean;
    /** Given the registry, what `/metrics` answers (`tessera serve --workers`: the machine's sum). */
    exposition?: (registry: Registry) => () => Promise<string>;
  } = {},
): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    exposition: options.exposition?.(registry) ?? (() => registry.metrics()),
    logins: new Counter({
      name: "tessera_logins_total",
      help: "Login attempts by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    refreshes: new Counter({
      name: "tessera_refreshes_total",
      help: "Refresh attempts (cookie and OAuth token endpoint) by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    reuseDetections: new Counter({
      name: "tessera_refresh_reuse_detected_total",
      help: "Refresh tokens presented again after use (the family was revoked).",
      registers,
    }),
    revocations: new Counter({
      name: "tessera_revocations_total",
      help: "Revocations requested over HTTP, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    requestDuration: new Histogram({
      name: "tessera_http_request_duration_seconds",
      help: "HTTP request latency by route.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}
