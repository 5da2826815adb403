import type { Tessera } from "@tessera/core";
import type { FastifyInstance } from "fastify";

/**
 * Deletes expired rows (sessions, used DPoP proofs, old audit events, …) every `intervalMs`
 * (`TESSERA_PURGE_INTERVAL`), one line per pass in the log. The timer never keeps the process alive.
 *
 * @example
 * const timer = schedulePurge(app, tessera, config.purgeIntervalMs);
 * app.addHook("onClose", async () => clearInterval(timer));
 */
export function schedulePurge(app: FastifyInstance, tessera: Tessera, intervalMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    tessera.purge().then(
      () => app.log.info("purge done: expired rows deleted"),
      (error: unknown) => app.log.warn({ err: error }, "purge failed"),
    );
  }, intervalMs);
  timer.unref();
  return timer;
}
