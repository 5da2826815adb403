import { Worker } from "node:worker_threads";
import { DRIVER_PATH } from "./driver.js";

/** WAL pages after which the writing connection checkpoints by itself (~10 MB of 4 KiB pages; a 40 MB WAL cost the server 60 MB of RSS under load). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 2_500;

/** Pause between two background checkpoints. */
const INTERVAL_MS = 100;

// The worker's source (CommonJS, evaluated): its own connection to the same file, checkpointing
// in a loop until told to stop. PASSIVE never waits for, nor blocks, the writer or the readers.
const workerSource = (driverPath: string) => `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(${JSON.stringify(driverPath)});
let db;
let timer;
const tick = () => {
  try {
    db ??= new Database(workerData.path, { timeout: 0, fileMustExist: true });
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or briefly unavailable: the next tick tries again, and the writer's own fallback
    // checkpoint bounds the WAL meanwhile.
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
tick();
parentPort.on("message", () => {
  clearTimeout(timer);
  try { db?.close(); } catch {}
  parentPort.close();
});
`;

/** A running background checkpointer; `stop()` ends it. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the writing connection: a worker thread with its own connection runs
 * a PASSIVE checkpoint every 100 ms. A checkpoint copies WAL pages into the database file and
 * fsyncs both (with `synchronous=NORMAL` the only fsyncs there are); run by the writer, as SQLite
 * does by default every 1,000 pages, that blocked the event loop for a disk flush several times a
 * second under load. The writing connection keeps a fallback auto-checkpoint at
 * {@link FALLBACK_AUTOCHECKPOINT_PAGES}, so the WAL stays bounded even if this thread falls behind
 * (a PASSIVE checkpoint cannot reset a WAL the writer keeps appending to).
 *
 * @example
 * const checkpointer = startCheckpointer("./data/tessera.db");
 * await checkpointer.stop();
 */
export function startCheckpointer(path: string): Checkpointer {
  const worker = new Worker(workerSource(DRIVER_PATH), {
    eval: true,
    workerData: { path, intervalMs: INTERVAL_MS },
  });
  // Never the reason a process stays alive; its errors are not the store's (the fallback covers).
  worker.unref();
  worker.on("error", () => {});
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    async stop() {
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 1_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
