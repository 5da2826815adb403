import cluster, { type Worker } from "node:cluster";
import type { CliIo } from "../cli/io.js";
import { serveBanner } from "../cli/serve-banner.js";
import { resolveMasterKey } from "../config/resolve-master-key.js";
import type { ServerConfig } from "../config/server-config.js";
import { openStore } from "../open-store.js";
import { hostClusterMetrics } from "./metrics-host.js";
import { hostWindowCounters } from "./window-counter-host.js";
import { HOUSEKEEPER, WORKER_ROLE_ENV } from "./worker-role.js";

/** A worker's own shutdown grace is 10 s (`serve`); the primary waits a little longer, then kills. */
const SHUTDOWN_BACKSTOP_MS = 15_000;
/** Pause before replacing a worker that died while serving. */
const RESPAWN_DELAY_MS = 1_000;

/**
 * The `node:cluster` primary of `tessera serve --workers N`. It serves no request itself: it
 * creates the development master key (if any) and applies pending migrations once, forks the
 * workers (each a full server on the shared port; Node's primary hands each new connection to
 * the next worker in turn), hosts the rate-limit counters they share, sums their metrics for
 * `/metrics`, and prints the banner once every worker listens. The first worker is forked as the
 * housekeeper (`TESSERA_WORKER_ROLE`): the only one that purges expired rows and runs the SQLite
 * WAL checkpointer; the worker that replaces it takes the role over. (Not the primary: it holds no
 * store nor token service, and a purge — a synchronous SQLite transaction — would stall the
 * rate-limit answers of every worker.) A worker that dies while serving is replaced; one that dies during
 * start-up stops them all with its exit status. SIGTERM or SIGINT stop every worker gracefully
 * (in-flight requests finish); the primary exits 0 once all exited cleanly, 1 otherwise; a
 * second signal kills them at once.
 *
 * @example
 * if (config.workers > 1 && cluster.isPrimary) await runPrimary(config, io);
 */
export async function runPrimary(config: ServerConfig, io: CliIo): Promise<void> {
  const { note } = resolveMasterKey(config);
  if (note) io.err(note);
  const store = openStore(config.database);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }

  const counters = hostWindowCounters();
  const listening = new Set<Worker>();
  let announced = false;
  let stopping = false;
  /** The primary's exit status once every worker is gone: 0 unless one exited unclean. */
  let exitCode = 0;

  // `/metrics` on any worker answers for every worker that serves.
  const metrics = hostClusterMetrics(() => [...listening]);
  /** The one worker that purges expired rows and checkpoints the WAL; its replacement inherits that. */
  let housekeeper: Worker | undefined;
  const fork = (keepsHouse: boolean) => {
    const worker = cluster.fork({ [WORKER_ROLE_ENV]: keepsHouse ? HOUSEKEEPER : "serving" });
    if (keepsHouse) housekeeper = worker;
    counters.attach(worker);
    metrics.attach(worker);
  };
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const stopAll = (signal: NodeJS.Signals) => {
    for (const worker of workers()) worker.process.kill(signal);
  };

  cluster.on("listening", (worker, address) => {
    listening.add(worker);
    if (announced || listening.size < config.workers) return;
    announced = true;
    for (const line of serveBanner(config, address.port)) io.out(line);
    io.out(`  workers: ${config.workers} processes (primary ${process.pid})`);
  });

  cluster.on("exit", (worker, code, signal) => {
    const clean = code === 0 && signal === null;
    const served = listening.delete(worker);
    if (stopping) {
      if (!clean && exitCode === 0) exitCode = 1;
      if (workers().length === 0) process.exit(exitCode);
      return;
    }
    if (!served || !announced) {
      // Start-up failed (store, master key, port): the worker said why on stderr.
      io.err(`tessera: a worker exited during start-up (${signal ?? code}); stopping`);
      stopping = true;
      exitCode = typeof code === "number" && code !== 0 ? code : 1;
      stopAll("SIGTERM");
      if (workers().length === 0) process.exit(exitCode);
      return;
    }
    io.err(`tessera: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    const role = worker === housekeeper;
    setTimeout(() => {
      if (!stopping) fork(role);
    }, RESPAWN_DELAY_MS).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      stopAll("SIGKILL");
      process.exit(1);
    }
    stopping = true;
    io.err(`${signal}: stopping ${workers().length} workers, finishing in-flight requests`);
    setTimeout(() => {
      stopAll("SIGKILL");
      process.exit(1);
    }, SHUTDOWN_BACKSTOP_MS).unref();
    stopAll("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  for (let i = 0; i < config.workers; i++) fork(i === 0);
}
