import type { FastifyInstance } from "fastify";

// Graceful shutdown in two phases. Draining: `/readyz` answers 503 `shutting_down` so a load
// balancer takes the instance out, while every other request is still served. Closing
// (`app.close()`): the listener stops (new connections are refused), idle connections are closed,
// and requests already running finish and leave with `Connection: close` (an onSend hook). The
// store is closed only after the last connection ended.

const draining = new WeakSet<FastifyInstance>();

/**
 * Starts draining: from now on `/readyz` answers 503 `shutting_down`; everything else still works.
 *
 * @example
 * beginDrain(app); await sleep(config.shutdownDrainMs); await app.close();
 */
export function beginDrain(app: FastifyInstance): void {
  draining.add(app);
}

/** Whether the instance is draining (answer `/readyz` 503). */
export function isDraining(app: FastifyInstance): boolean {
  return draining.has(app);
}
