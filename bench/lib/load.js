import autocannon from "autocannon";

/**
 * HTTP load through autocannon's programmatic API, loopback only, for a bounded duration.
 * Figures: requests/s counts 2xx answers only; latencies (ms) are autocannon's, corrected for
 * coordinated omission when a rate is set.
 */

/**
 * @typedef {{ rps: number, p50_ms: number, p99_ms: number, requests: number, non_2xx: number, errors: number }} LoadResult
 */

/**
 * @param {import("autocannon").Result} result
 * @returns {LoadResult}
 */
function summarise(result) {
  const ok = result["2xx"];
  return {
    rps: ok / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Runs autocannon with `options` (see its README) and summarises the result.
 *
 * @example
 * const { rps, p99_ms } = await load({ url: "http://127.0.0.1:3000/", connections: 64, duration: 10 });
 *
 * @param {import("autocannon").Options} options
 * @returns {Promise<LoadResult>}
 */
export async function load(options) {
  const result = await autocannon({ timeout: 10, ...options });
  return summarise(result);
}

const COOKIE = "__Secure-tessera_refresh";
const COOKIE_VALUE = new RegExp(`(?:^|[;,]\\s*)${COOKIE}=([^;,\\s]+)`);

/**
 * @param {Record<string, string | string[]>} headers
 * @returns {string | undefined}
 */
function refreshCookieOf(headers) {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "set-cookie") continue;
    for (const line of Array.isArray(value) ? value : [value]) {
      const match = COOKIE_VALUE.exec(line);
      if (match?.[1]) return match[1];
    }
  }
  return undefined;
}

/**
 * @typedef {{ token: string, dead?: boolean }} Session
 * @typedef {{ method: string, path: string, headers: Record<string, string>, body?: string }} RequestShape
 * @typedef {{
 *   request: (session: any) => RequestShape,
 *   rotated: (status: number, body: string, headers: Record<string, string | string[]>, session: any) => string | undefined,
 *   stable?: boolean,
 * }} Protocol
 *   `request` builds one request from a session; `rotated` reads the session's next token from an
 *   answer (the same token for a protocol that does not rotate), or `undefined` when it failed;
 *   `stable`: the token never changes, so a request left unanswered when a run stops loses nothing.
 */

/**
 * Load where every request spends a session's current token and every answer hands out the next
 * one (a refresh-token rotation, or just the same token for a protocol that does not rotate). The
 * sessions are dealt out to the connections; each connection walks its own list round-robin and
 * stores the token from every answer, so no two requests in flight ever hold the same token and
 * every request is a real rotation (never a grace re-issue, never a reuse).
 *
 * `sessions` is updated in place with the newest tokens; a session whose request was still in
 * flight when the run stopped (its new token never read) or that failed is marked `dead` and
 * skipped by later runs.
 *
 * @example
 * const result = await rotationLoad({ url, sessions, connections: 64, duration: 10, protocol });
 *
 * @param {{ url: string, sessions: Session[], connections: number, duration: number, protocol: Protocol }} options
 * @returns {Promise<LoadResult & { sessions_used: number }>}
 */
export async function rotationLoad(options) {
  const live = options.sessions.filter((s) => !s.dead);
  if (live.length < options.connections * 2) throw new Error(`only ${live.length} live sessions left`);
  /** @type {Array<Session[]>} */
  const lists = Array.from({ length: options.connections }, () => []);
  live.forEach((session, i) => {
    lists[i % options.connections]?.push(session);
  });
  /** @type {Set<Session>} */
  const inFlight = new Set();
  let nextList = 0;
  const { protocol } = options;

  const result = await load({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    setupClient(client) {
      const list = /** @type {Session[]} */ (lists[nextList++ % lists.length]);
      let i = 0;
      /** @type {Session | undefined} */
      let current;
      client.setRequests([
        {
          method: "POST",
          path: "/",
          setupRequest(request) {
            // Skip dead sessions; if every one of this connection's died, send one anyway (a counted failure).
            for (let tries = 0; tries < list.length; tries++) {
              current = list[i++ % list.length];
              if (!current?.dead) break;
            }
            const session = /** @type {Session} */ (current);
            inFlight.add(session);
            return Object.assign(request, protocol.request(session));
          },
          onResponse(status, body, _context, headers) {
            if (current === undefined) return;
            inFlight.delete(current);
            const next =
              status >= 200 && status < 300 ? protocol.rotated(status, body, headers, current) : undefined;
            if (next === undefined) current.dead = true;
            else current.token = next;
          },
        },
      ]);
    },
  });
  if (!protocol.stable) for (const session of inFlight) session.dead = true;
  return { ...result, sessions_used: live.length };
}

/**
 * Tessera's refresh as a browser sends it: `POST /auth/refresh` with the refresh cookie and the
 * session's `X-CSRF-Token`; the rotated token comes back in `Set-Cookie`.
 *
 * @param {string} userAgent
 * @returns {Protocol}
 */
export function tesseraRefresh(userAgent) {
  return {
    request: (/** @type {Session & { csrfToken: string }} */ session) => ({
      method: "POST",
      path: "/auth/refresh",
      headers: {
        "user-agent": userAgent,
        cookie: `${COOKIE}=${session.token}`,
        "x-csrf-token": session.csrfToken,
      },
    }),
    rotated: (_status, _body, headers) => refreshCookieOf(headers),
  };
}

/**
 * Refresh over HTTP the way a browser does it (see `tesseraRefresh` and `rotationLoad`).
 *
 * @example
 * const result = await refreshLoad({ url, sessions, connections: 64, duration: 10, userAgent });
 *
 * @param {{ url: string, sessions: Array<Session & { csrfToken: string }>, connections: number, duration: number, userAgent: string }} options
 */
export function refreshLoad(options) {
  return rotationLoad({ ...options, protocol: tesseraRefresh(options.userAgent) });
}
