import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { type PrimaryChannel, primaryWindowCounter } from "./window-counter-client.js";
import { hostWindowCounters, type WorkerChannel } from "./window-counter-host.js";
import type { WindowReply, WindowRequest } from "./window-messages.js";

// The primary's counter and its workers' clients, joined by in-memory channels that deliver each
// message on a later turn (as IPC does). Counts messages, so batching is seen, not assumed.

function cluster(workers: number) {
  const host = hostWindowCounters();
  const sent: WindowRequest[] = [];
  let connected = true;
  /** The channel still says connected, but a send fails (the primary died a moment ago). */
  let lost = false;
  const clients = Array.from({ length: workers }, () => {
    const toWorker = new EventEmitter();
    const toPrimary = new EventEmitter();
    const worker: WorkerChannel = {
      isConnected: () => connected,
      send: (message: WindowReply) => setImmediate(() => toWorker.emit("message", message)),
      on: (event, listener) => toPrimary.on(event, listener),
    };
    host.attach(worker);
    const channel: PrimaryChannel = {
      get connected() {
        return connected;
      },
      send: (message: WindowRequest, callback: (error: Error | null) => void) => {
        if (lost) return setImmediate(() => callback(new Error("channel closed")));
        sent.push(message);
        setImmediate(() => {
          callback(null);
          toPrimary.emit("message", message);
        });
      },
      on: (event, listener) => toWorker.on(event, listener),
    };
    return primaryWindowCounter(channel);
  });
  return { clients, sent, disconnect: () => (connected = false), lose: () => (lost = true) };
}

const rule = { max: 3, windowMs: 60_000 };

describe("rate-limit counters shared through the cluster primary", () => {
  it("counts every worker's attempts against one budget", async () => {
    const { clients } = cluster(2);
    const [a, b] = clients;
    if (!a || !b) throw new Error("two workers");
    const answers = await Promise.all([a, b, a, b, a].map((c) => c.reserve("fail:acct:ip", rule)));
    // Which worker's batch the primary reads first is up to it; the budget is not.
    expect(answers.filter((x) => x.allowed)).toHaveLength(rule.max);
    for (const refused of answers.filter((x) => !x.allowed)) expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it("a clear asked through one worker empties the windows every worker counts in", async () => {
    const { clients } = cluster(2);
    const [a, b] = clients;
    if (!a || !b) throw new Error("two workers");
    for (const c of [a, b, a]) await c.reserve("fail:acct:ip", rule);
    expect((await b.reserve("fail:acct:ip", rule)).allowed).toBe(false);
    expect(await a.clear(["fail:acct:*"])).toBe(1);
    expect((await b.reserve("fail:acct:ip", rule)).allowed).toBe(true);
  });

  it("a released attempt (a success) goes back to the shared window, once", async () => {
    const { clients } = cluster(2);
    const [a, b] = clients;
    if (!a || !b) throw new Error("two workers");
    const first = await a.reserve("fail:k", rule);
    await b.reserve("fail:k", rule);
    await b.reserve("fail:k", rule);
    expect((await a.reserve("fail:k", rule)).allowed).toBe(false);
    await first.release();
    await first.release();
    expect((await b.reserve("fail:k", rule)).allowed).toBe(true);
    expect((await a.reserve("fail:k", rule)).allowed).toBe(false);
  });

  it("adds failures counted without a reservation", async () => {
    const { clients } = cluster(2);
    const [a, b] = clients;
    if (!a || !b) throw new Error("two workers");
    await Promise.all([a.add("fail:x", rule), b.add("fail:x", rule), a.add("fail:x", rule)]);
    expect((await b.reserve("fail:x", rule)).allowed).toBe(false);
  });

  it("sends the calls of one turn in one message", async () => {
    const { clients, sent } = cluster(1);
    const [a] = clients;
    if (!a) throw new Error("one worker");
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.reserve(`ip:${i}`, rule)));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.calls).toHaveLength(10);
  });

  it("counts in the worker's own memory once the primary is gone", async () => {
    const { clients, sent, disconnect } = cluster(1);
    const [a] = clients;
    if (!a) throw new Error("one worker");
    disconnect();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await a.reserve("fail:y", rule)).allowed);
    expect(answers).toEqual([true, true, true, false]);
    expect(sent).toHaveLength(0);
  });

  it("answers from the worker's own memory when a send fails", async () => {
    const { clients, lose } = cluster(1);
    const [a] = clients;
    if (!a) throw new Error("one worker");
    lose();
    const answers = await Promise.all(Array.from({ length: 4 }, () => a.reserve("fail:z", rule)));
    expect(answers.map((x) => x.allowed)).toEqual([true, true, true, false]);
    await a.add("fail:w", rule);
  });
});
