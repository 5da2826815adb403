import { readdirSync, readFileSync } from "node:fs";

/**
 * One sample of the server process: resident memory (`VmRSS` of /proc/<pid>/status), open file
 * descriptors (entries of /proc/<pid>/fd), and the event-loop delay the server measured itself
 * since the previous scrape (`nodejs_eventloop_lag_p99_seconds` / `_max_seconds` of its
 * `/metrics`, prom-client's `monitorEventLoopDelay` histogram, reset at each scrape).
 *
 * @example
 * const sample = await takeSample(server.pid, server.url, startedAt);
 *
 * @param {number} pid
 * @param {string} url
 * @param {number} startedAt  `performance.now()` at the start of the run
 */
export async function takeSample(pid, url, startedAt) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const lag = await eventLoopLag(url);
  return {
    t_s: Math.round((performance.now() - startedAt) / 100) / 10,
    rss_mb: Math.round((rssKb / 1024) * 10) / 10,
    fds,
    event_loop_p99_ms: lag.p99,
    event_loop_max_ms: lag.max,
  };
}

/** @param {string} url */
async function eventLoopLag(url) {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return {
      p99: metricMs(text, "nodejs_eventloop_lag_p99_seconds"),
      max: metricMs(text, "nodejs_eventloop_lag_max_seconds"),
    };
  } catch {
    return { p99: null, max: null };
  }
}

/**
 * @param {string} text
 * @param {string} name
 */
function metricMs(text, name) {
  const match = new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text);
  return match ? Math.round(Number(match[1]) * 1000 * 10) / 10 : null;
}
