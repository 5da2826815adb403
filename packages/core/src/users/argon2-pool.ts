import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Options as `@node-rs/argon2` takes them. */
export interface Argon2Options {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** argon2id (and imported bcrypt hashes' verification) computed on a pool of low-priority threads. */
export interface Argon2Pool {
  hash(password: string, options: Argon2Options): Promise<string>;
  verify(phc: string, password: string): Promise<boolean>;
  /** Whether `password` matches a bcrypt hash (`$2a$`/`$2b$`/`$2y$`), by bcryptjs on a pool thread. */
  verifyBcrypt(modularCrypt: string, password: string): Promise<boolean>;
  /** Threads started so far (never more than the pool's size). */
  threads(): number;
  /** Jobs handed to a thread so far, by kind. */
  jobs(): Readonly<Record<"hash" | "verify" | "verifyBcrypt", number>>;
}

/** How much lower than the event loop the argon2 threads run (Linux nice, 0–19). */
const NICE = 10;

// The worker's own source (CommonJS, evaluated): argon2 and bcryptjs are loaded from the paths
// this package resolves, so it works wherever core is installed (bcryptjs on a thread's first
// bcrypt job: most servers never see one). On Linux each thread lowers its own priority (a nice
// value is per thread there); elsewhere it keeps the normal one.
const workerSource = (argon2Path: string, bcryptPath: string) => `
const { parentPort } = require("node:worker_threads");
const argon2 = require(${JSON.stringify(argon2Path)});
let bcrypt;
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid)) require("node:os").setPriority(tid, ${NICE});
} catch {}
parentPort.on("message", (job) => {
  try {
    let value;
    if (job.op === "hash") value = argon2.hashSync(job.password, job.options);
    else if (job.op === "verify") value = argon2.verifySync(job.phc, job.password);
    else {
      bcrypt ??= require(${JSON.stringify(bcryptPath)});
      value = bcrypt.compareSync(job.password, job.modularCrypt);
    }
    parentPort.postMessage({ value });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

type Job =
  | { op: "hash"; password: string; options: Argon2Options }
  | { op: "verify"; phc: string; password: string }
  | { op: "verifyBcrypt"; modularCrypt: string; password: string };

interface Queued {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  current: Queued | undefined;
  /** Ends the thread once it has been idle for the pool's `idleMs`. */
  retire: NodeJS.Timeout | undefined;
}

/** How long a thread may sit idle before it ends (a new one starts on the next call). */
const DEFAULT_IDLE_MS = 10_000;

/**
 * At most `size` argon2 computations (or bcrypt verifications of imported hashes) at once, each on its own worker thread that runs at a lower
 * CPU priority than the event loop. A login flood can then keep every CPU busy with argon2 (more
 * threads than CPUs, so no CPU idles between two hashes) while the event loop still gets a CPU the
 * moment it has work: refreshes, verifications and health checks are not queued behind hashes.
 * Threads start on first use, do not keep the process alive while idle, and end after `idleMs`
 * without work (each holds ~10 MB: an isolate and argon2's module; the start-up dummy hash alone
 * would otherwise keep one for the life of the server). The rest of the calls wait in arrival
 * order. Memory held by running hashes is bounded to `size` × `memoryCost`.
 *
 * @example
 * const pool = createArgon2Pool(3);
 * const phc = await pool.hash("correct horse", { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
 */
export function createArgon2Pool(size: number, options: { idleMs?: number } = {}): Argon2Pool {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  if (!Number.isInteger(size) || size < 1) throw new TypeError("argon2 pool size must be an integer ≥ 1");
  let source: string | undefined;
  const threads: Thread[] = [];
  const waiting: Queued[] = [];
  const jobs: Record<Job["op"], number> = { hash: 0, verify: 0, verifyBcrypt: 0 };

  const start = (): Thread => {
    const require = createRequire(import.meta.url);
    source ??= workerSource(require.resolve("@node-rs/argon2"), require.resolve("bcryptjs"));
    const thread: Thread = {
      worker: new Worker(source, { eval: true }),
      current: undefined,
      retire: undefined,
    };
    thread.worker.unref();
    thread.worker.on("message", (message: { value?: unknown; error?: string }) => {
      const done = thread.current;
      thread.current = undefined;
      if (message.error !== undefined) done?.reject(new Error(message.error));
      else done?.resolve(message.value);
      next(thread);
    });
    const lost = (error: Error) => {
      const index = threads.indexOf(thread);
      if (index === -1) return;
      threads.splice(index, 1);
      thread.current?.reject(error);
      thread.current = undefined;
      dispatch();
    };
    thread.worker.on("error", lost);
    thread.worker.on("exit", (code) => lost(new Error(`argon2 worker exited (${code})`)));
    threads.push(thread);
    return thread;
  };

  const next = (thread: Thread) => {
    const queued = waiting.shift();
    if (!queued) {
      // Idle: let the process exit if nothing else is going on, and end the thread if it stays so.
      thread.worker.unref();
      thread.retire = setTimeout(() => {
        const index = threads.indexOf(thread);
        if (index !== -1) threads.splice(index, 1);
        void thread.worker.terminate();
      }, idleMs);
      thread.retire.unref();
      return;
    }
    clearTimeout(thread.retire);
    thread.current = queued;
    // Busy: a pending hash keeps the process alive (a CLI awaiting it must not exit early).
    thread.worker.ref();
    jobs[queued.job.op]++;
    thread.worker.postMessage(queued.job);
  };

  const dispatch = () => {
    while (waiting.length > 0) {
      const idle =
        threads.find((t) => t.current === undefined) ?? (threads.length < size ? start() : undefined);
      if (!idle) return;
      next(idle);
    }
  };

  const run = (job: Job) =>
    new Promise<unknown>((resolve, reject) => {
      waiting.push({ job, resolve, reject });
      dispatch();
    });

  return {
    hash: async (password, options) => (await run({ op: "hash", password, options })) as string,
    verify: async (phc, password) => (await run({ op: "verify", phc, password })) as boolean,
    verifyBcrypt: async (modularCrypt, password) =>
      (await run({ op: "verifyBcrypt", modularCrypt, password })) as boolean,
    threads: () => threads.length,
    jobs: () => ({ ...jobs }),
  };
}
