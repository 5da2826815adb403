import { median } from "../lib/harness.js";
import { rotationLoad } from "../lib/load.js";

/**
 * The peers benchmark's measurement: every contender under the same 64-connection load, in short
 * slices that alternate between contenders (A B C …, then B C … A, …) for several rounds, so a
 * burst of outside load on this shared machine lands on all of them alike. Per contender: the
 * median requests/s (2xx only) and p99 over its slices, the server's CPU time per request over
 * all slices (utime + stime of /proc/<pid>/stat), and per round its rps divided by Tessera's in
 * the same round.
 *
 * @typedef {import("./contenders.js").Contender} Contender
 */

const CONNECTIONS = 64;

/**
 * @param {string} url
 * @param {import("../lib/load.js").Protocol} protocol
 * @param {import("../lib/load.js").Session} session
 */
async function send(url, protocol, session) {
  const shape = protocol.request(session);
  const response = await fetch(`${url}${shape.path}`, {
    method: shape.method,
    headers: shape.headers,
    ...(shape.body !== undefined ? { body: shape.body } : {}),
  });
  const body = await response.text();
  /** @type {Record<string, string | string[]>} */
  const headers = { ...Object.fromEntries(response.headers), "set-cookie": response.headers.getSetCookie() };
  const next = response.ok ? protocol.rotated(response.status, body, headers, session) : undefined;
  return { status: response.status, next };
}

/**
 * Whether a contender really rotates: one session's token is spent once (it must succeed and hand
 * out a different token), then the spent token is presented again (it must fail). The session is
 * marked dead afterwards (a peer that detects reuse revokes the whole family).
 *
 * @example
 * const check = await rotationCheck(contender); // { rotated: true, old_token_rejected: true, ... }
 *
 * @param {Contender} contender
 * @param {string} [url] the server to check, when not the measured one
 */
export async function rotationCheck(contender, url = contender.server.url) {
  const session = contender.sessions.findLast((s) => !s.dead);
  if (!session) throw new Error(`${contender.name}: no live session to check`);
  const old = session.token;
  const first = await send(url, contender.protocol, session);
  const replay = await send(url, contender.protocol, { ...session, token: old });
  session.dead = true;
  const rotated = first.next !== undefined && first.next !== old;
  return {
    first_status: first.status,
    rotated,
    replay_status: replay.status,
    old_token_rejected: replay.status >= 400,
    rotates: rotated && replay.status >= 400,
  };
}

/**
 * Runs the interleaved rounds. `contenders[0]` is the reference (Tessera) the ratios divide by.
 *
 * @example
 * const figures = await interleave(contenders, { rounds: 5, sliceSeconds: 3, warmupSeconds: 2 });
 *
 * @param {Contender[]} contenders
 * @param {{ rounds: number, sliceSeconds: number, warmupSeconds: number, onSlice?: (line: string) => void }} options
 */
export async function interleave(contenders, options) {
  const slice = (/** @type {Contender} */ c, /** @type {number} */ seconds) =>
    rotationLoad({
      url: c.server.url,
      sessions: c.sessions,
      connections: CONNECTIONS,
      duration: seconds,
      protocol: c.protocol,
    });
  for (const c of contenders) await slice(c, options.warmupSeconds);

  /** @type {Map<string, { rps: number[], p99: number[], cpuSeconds: number, waitSeconds: number, wallSeconds: number, requests: number, non2xx: number, errors: number }>} */
  const samples = new Map(
    contenders.map((c) => [
      c.name,
      { rps: [], p99: [], cpuSeconds: 0, waitSeconds: 0, wallSeconds: 0, requests: 0, non2xx: 0, errors: 0 },
    ]),
  );
  const s0 = (/** @type {Contender} */ c) =>
    /** @type {NonNullable<ReturnType<typeof samples.get>>} */ (samples.get(c.name));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = /** @type {Contender} */ (contenders[(round + k) % contenders.length]);
      const before = c.server.cpuSeconds();
      const waitBefore = c.server.waitSeconds();
      const started = performance.now();
      const result = await slice(c, options.sliceSeconds);
      s0(c).wallSeconds += (performance.now() - started) / 1000;
      const after = c.server.cpuSeconds();
      const waitAfter = c.server.waitSeconds();
      const s = /** @type {NonNullable<ReturnType<typeof samples.get>>} */ (samples.get(c.name));
      s.rps.push(result.rps);
      s.p99.push(result.p99_ms);
      s.cpuSeconds += before === null || after === null ? Number.NaN : after - before;
      s.waitSeconds += waitBefore === null || waitAfter === null ? Number.NaN : waitAfter - waitBefore;
      s.requests += result.requests;
      s.non2xx += result.non_2xx;
      s.errors += result.errors;
      options.onSlice?.(`round ${round + 1} ${c.name}: ${Math.round(result.rps)}/s p99 ${result.p99_ms} ms`);
    }
  }

  const reference = /** @type {NonNullable<ReturnType<typeof samples.get>>} */ (
    samples.get(/** @type {Contender} */ (contenders[0]).name)
  );
  const referenceRps = median(reference.rps);
  return Object.fromEntries(
    contenders.map((c) => {
      const s = /** @type {NonNullable<ReturnType<typeof samples.get>>} */ (samples.get(c.name));
      const rps = median(s.rps);
      return [
        c.name,
        {
          rps,
          p99_ms: median(s.p99),
          server_cpu_us_per_request: Number.isNaN(s.cpuSeconds)
            ? null
            : (s.cpuSeconds * 1e6) / Math.max(1, s.requests),
          // Share of one CPU the server used while loaded: well below 1 for a pinned server means
          // it waited (for the CPU held by others, for I/O, for a timer) rather than worked.
          server_cpu_utilisation: Number.isNaN(s.cpuSeconds) ? null : s.cpuSeconds / s.wallSeconds,
          // Share of the wall time its main thread was runnable while another task held the CPU.
          server_cpu_wait_share: Number.isNaN(s.waitSeconds) ? null : s.waitSeconds / s.wallSeconds,
          ratio_to_tessera: rps / referenceRps,
          round_ratios: s.rps.map((r, i) => r / /** @type {number} */ (reference.rps[i])),
          round_rps: s.rps,
          requests: s.requests,
          non_2xx: s.non2xx,
          errors: s.errors,
        },
      ];
    }),
  );
}
