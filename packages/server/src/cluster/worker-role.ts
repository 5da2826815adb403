import cluster from "node:cluster";

/**
 * Set by the primary on every worker it forks: `housekeeper` on exactly one, `serving` on the
 * others (a value inherited from the operator's environment is overwritten).
 */
export const WORKER_ROLE_ENV = "TESSERA_WORKER_ROLE";

/** The role of the one worker that purges expired rows and runs the SQLite WAL checkpointer. */
export const HOUSEKEEPER = "housekeeper";

/**
 * Whether this process keeps house for the database: the single-process server always does; of
 * the workers of `tessera serve --workers N`, only the one the primary forked as housekeeper.
 *
 * @example
 * const store = openStore(config.database, { checkpointer: keepsHouse(process.env) });
 */
export function keepsHouse(env: Readonly<Record<string, string | undefined>>): boolean {
  return !cluster.isWorker || env[WORKER_ROLE_ENV] === HOUSEKEEPER;
}
