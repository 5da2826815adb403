import type { FastifyInstance } from "fastify";
import { sendError } from "./error-handler.js";

// Graceful shutdown in two phases. Draining: `/readyz` answers 503 `shutting_down` so a load
// balancer takes the instance out, while every other request is still served. Closing
// (`app.close()`): the listener stops, idle connections are closed, requests already running
// finish, and the next request on a kept-alive connection gets 503 `shutting_down` with
// `Connection: close` — the documented JSON, not Fastify's own 503 body.

interface ShutdownState {
  draining: boolean;
  closing: boolean;
}

const states = new WeakMap<FastifyInstance, ShutdownState>();

/**
 * Installs the shutdown hooks on the root instance (before any route is registered). Build the
 * instance with `return503OnClosing: false`, so these hooks answer instead of Fastify.
 *
 * @example
 * installShutdownHooks(app);
 */
export function installShutdownHooks(app: FastifyInstance): void {
  const state: ShutdownState = { draining: false, closing: false };
  states.set(app, state);
  app.addHook("preClose", async () => {
    state.draining = true;
    state.closing = true;
  });
  app.addHook("onRequest", async (request, reply) => {
    if (!state.closing) return;
    reply.header("connection", "close");
    return sendError(request, reply, "shutting_down");
  });
}

/**
 * Starts draining: from now on `/readyz` answers 503 `shutting_down`; everything else still works.
 *
 * @example
 * beginDrain(app); await sleep(config.shutdownDrainMs); await app.close();
 */
export function beginDrain(app: FastifyInstance): void {
  const state = states.get(app);
  if (state) state.draining = true;
}

/** Whether the instance is draining or closing (answer `/readyz` 503). */
export function isDraining(app: FastifyInstance): boolean {
  return states.get(app)?.draining ?? false;
}
