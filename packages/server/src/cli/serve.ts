import cluster from "node:cluster";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../build-server.js";
import { clusterExposition, type MetricsChannel } from "../cluster/metrics-client.js";
import { runPrimary } from "../cluster/primary.js";
import { type PrimaryChannel, primaryWindowCounter } from "../cluster/window-counter-client.js";
import { keepsHouse } from "../cluster/worker-role.js";
import { loadConfig } from "../config/load-config.js";
import { resolveMasterKey } from "../config/resolve-master-key.js";
import type { Environment } from "../config/secrets.js";
import { beginDrain, beginRefusing } from "../http/shutdown.js";
import { openStore } from "../open-store.js";
import type { CliIo } from "./io.js";
import { serveBanner } from "./serve-banner.js";
import { tuneV8ForServing } from "./v8-tuning.js";

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `tessera serve`: load the configuration, apply pending migrations, listen, and print one line
 * with the URL. SIGTERM/SIGINT first drain (`/readyz` answers 503 for `TESSERA_SHUTDOWN_DRAIN`
 * while requests are still served), then answer new requests 503 `shutting_down` while the
 * in-flight ones finish (their answers carry `Connection: close`), then stop accepting
 * connections and close the store, committing every write already asked for (all within 10 s of
 * the drain); a second signal exits at once.
 *
 * With `TESSERA_WORKERS` (or `--workers`) above 1 this process becomes the cluster primary
 * (`runPrimary`, resolving to `null`) and each worker runs this function again as a server: it
 * skips the migrations (the primary applied them), counts rate limits through the primary, answers
 * `/metrics` with the whole machine's numbers (the primary sums every worker's), purges expired rows
 * and checkpoints the SQLite WAL only if it is the housekeeper (one worker at a time), and leaves SIGINT to the primary (a terminal's Ctrl-C reaches every process of the group; the
 * primary then stops each worker once).
 *
 * @example
 * await serve(process.env, processIo);
 */
export async function serve(env: Environment, io: CliIo): Promise<FastifyInstance | null> {
  const config = loadConfig(env);
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, io);
    return null;
  }
  const worker = cluster.isWorker;
  tuneV8ForServing();
  const { note } = resolveMasterKey(config);
  if (note && !worker) io.err(note);
  // Of N workers on one database, one purges and checkpoints (`runPrimary` picks it).
  const housekeeping = keepsHouse(env);
  const store = openStore(config.database, { checkpointer: housekeeping });
  let app: FastifyInstance;
  try {
    if (!worker) await store.migrate();
    app = await buildServer({
      config,
      store,
      housekeeping,
      ...(worker
        ? {
            windowCounter: primaryWindowCounter(process as PrimaryChannel),
            metricsExposition: clusterExposition(process as MetricsChannel),
          }
        : {}),
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    if (config.shutdownDrainMs > 0) {
      io.err(`${signal}: draining for ${config.shutdownDrainMs} ms (/readyz answers 503 shutting_down)`);
    }
    io.err(`${signal}: finishing in-flight requests`);
    setTimeout(() => process.exit(1), config.shutdownDrainMs + SHUTDOWN_GRACE_MS).unref();
    beginDrain(app);
    sleep(config.shutdownDrainMs)
      // New requests get 503 `shutting_down` while the running ones finish (bounded: a request
      // whose client stalls cannot hold the listener open past half the grace).
      .then(() => Promise.race([beginRefusing(app), sleep(SHUTDOWN_GRACE_MS / 2)]))
      .then(() => app.close())
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", worker ? () => {} : stop);
  if (worker) {
    if (housekeeping) app.log.info("this worker keeps house: it purges expired rows and checkpoints the WAL");
    return app;
  }

  // Announce only once the signal handlers are in place: a supervisor that sends SIGTERM as soon
  // as it reads this line must get a graceful stop, not the default instant death.
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  for (const line of serveBanner(config, port)) io.out(line);
  return app;
}
