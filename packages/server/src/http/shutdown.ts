import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";

// Graceful shutdown in three phases.
// 1. Draining (`TESSERA_SHUTDOWN_DRAIN`): `/readyz` answers 503 `shutting_down` so a load balancer
//    takes the instance out, while every other request is still served.
// 2. Refusing: the listener stays open, but a request that arrives now is answered 503
//    `shutting_down` with `Connection: close` before anything runs (so a client or proxy retries
//    elsewhere, instead of meeting a refused connection), while the requests already running
//    finish and leave with `Connection: close`. It ends when none is left running.
// 3. Closing (`app.close()`): the listener stops, idle connections are closed, and the store is
//    closed only after the last connection ended.

type Phase = "serving" | "draining" | "refusing";

interface Gate {
  phase: Phase;
  running: Set<FastifyRequest>;
  idle: Array<() => void>;
}

const gates = new WeakMap<FastifyInstance, Gate>();

/**
 * Counts the requests running and refuses new ones once {@link beginRefusing} was called. Install
 * it before any other hook, so that a refused request runs nothing.
 *
 * @example
 * installShutdownGate(app);
 */
export function installShutdownGate(app: FastifyInstance): void {
  const gate: Gate = { phase: "serving", running: new Set(), idle: [] };
  gates.set(app, gate);
  const done = (request: FastifyRequest) => {
    if (!gate.running.delete(request) || gate.running.size > 0) return;
    for (const resolve of gate.idle.splice(0)) resolve();
  };
  app.addHook("onRequest", async (request, reply) => {
    if (gate.phase === "refusing") {
      reply.header("connection", "close");
      throw new HttpError("shutting_down");
    }
    gate.running.add(request);
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (gate.phase === "refusing") reply.header("connection", "close");
    return payload;
  });
  app.addHook("onResponse", async (request) => done(request));
  app.addHook("onRequestAbort", async (request) => done(request));
}

/**
 * Starts draining: from now on `/readyz` answers 503 `shutting_down`; everything else still works.
 *
 * @example
 * beginDrain(app); await sleep(config.shutdownDrainMs); await beginRefusing(app); await app.close();
 */
export function beginDrain(app: FastifyInstance): void {
  const gate = gates.get(app);
  if (gate && gate.phase === "serving") gate.phase = "draining";
}

/** Whether the instance is shutting down (answer `/readyz` 503). */
export function isDraining(app: FastifyInstance): boolean {
  return (gates.get(app)?.phase ?? "serving") !== "serving";
}

/**
 * Refuses new requests (503 `shutting_down`, `Connection: close`); resolves once no request that
 * was admitted before is still running.
 *
 * @example
 * await beginRefusing(app);
 */
export function beginRefusing(app: FastifyInstance): Promise<void> {
  const gate = gates.get(app);
  if (!gate) return Promise.resolve();
  gate.phase = "refusing";
  if (gate.running.size === 0) return Promise.resolve();
  return new Promise((resolve) => gate.idle.push(resolve));
}
