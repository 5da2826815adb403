import { cpus } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { median } from "./harness.js";
import { CLIENT } from "./seed.js";

/**
 * The limits HTTP figures are held against: what the same work costs with no HTTP around it.
 */

/**
 * Runs `workers` concurrent loops of `step(worker)` for a warm-up and then `rounds` timed rounds
 * of `roundMs`; returns the median completed steps per second over the rounds, and this process's
 * CPU time per step over all rounds (µs; includes any work on other threads).
 *
 * @param {{ workers: number, rounds: number, roundMs: number, warmupMs: number }} options
 * @param {(worker: number) => Promise<unknown>} step
 * @returns {Promise<{ perSecond: number, cpuUsPerOp: number }>}
 */
export async function throughput(options, step) {
  let count = 0;
  let stopAt = 0;
  const run = async (/** @type {number} */ worker) => {
    while (performance.now() < stopAt) {
      await step(worker);
      count++;
    }
  };
  const phase = async (/** @type {number} */ ms) => {
    count = 0;
    const start = performance.now();
    stopAt = start + ms;
    await Promise.all(Array.from({ length: options.workers }, (_, w) => run(w)));
    return count / ((performance.now() - start) / 1000);
  };
  await phase(options.warmupMs);
  const rounds = [];
  let steps = 0;
  const cpu = process.cpuUsage();
  for (let r = 0; r < options.rounds; r++) {
    rounds.push(await phase(options.roundMs));
    steps += count;
  }
  const used = process.cpuUsage(cpu);
  return { perSecond: median(rounds), cpuUsPerOp: (used.user + used.system) / Math.max(1, steps) };
}

/**
 * In-process rotate + sign per second: core's `refresh()` on the given store, one rotation per
 * call, `workers` concurrent refresh chains over distinct sessions (as many as HTTP connections).
 * This is everything a refresh request does except HTTP: the store transaction, the audit write,
 * the access-token signature. `sessions` is updated in place with the rotated tokens.
 *
 * @example
 * const { perSecond, cpuUsPerOp } = await refreshLimit(tessera, sessions, { workers: 64, rounds: 3, roundMs: 1000, warmupMs: 300 });
 *
 * @param {import("@tessera/core").Tessera} tessera
 * @param {Array<{ token: string, csrfToken: string, dead?: boolean }>} sessions
 * @param {{ workers: number, rounds: number, roundMs: number, warmupMs: number, csrf?: boolean }} options
 */
export function refreshLimit(tessera, sessions, options) {
  const live = sessions.filter((s) => !s.dead);
  const cursors = new Array(options.workers).fill(0);
  return throughput(options, async (worker) => {
    // Worker w owns sessions w, w + workers, w + 2·workers, …: no two chains share a session.
    const slots = Math.ceil((live.length - worker) / options.workers);
    const session = live[worker + (cursors[worker]++ % slots) * options.workers];
    const set = await tessera.refresh({
      refreshToken: session.token,
      // As the cookie refresh over HTTP checks it, when asked: the same work minus HTTP.
      ...(options.csrf ? { csrfToken: session.csrfToken } : {}),
      context: CLIENT,
    });
    session.token = set.refreshToken;
  });
}

/** The production parameters, as core's default hasher uses them. */
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * Raw argon2id verifies per second with the production parameters (m=19456 KiB, t=2, p=1) on
 * all cores: `@node-rs/argon2` `verify` with two calls in flight per core (it computes on libuv's
 * thread pool, so this keeps every core busy). The ceiling of logins per second.
 *
 * @example
 * const perSecond = await argon2Limit({ rounds: 3, roundMs: 2000, warmupMs: 500 });
 *
 * @param {{ rounds: number, roundMs: number, warmupMs: number }} options
 */
export async function argon2Limit(options) {
  const phc = await hash("correct horse battery staple", /** @type {never} */ (ARGON2));
  const { perSecond } = await throughput({ ...options, workers: 2 * cpus().length }, async () => {
    if (!(await verify(phc, "correct horse battery staple"))) throw new Error("argon2 verify failed");
  });
  return perSecond;
}
