import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus } from "node:os";

/**
 * A server under test, in its own process: the load generator must not share its event loop.
 * On Linux with `taskset` the process is pinned to the given CPUs; its peak RSS is read from
 * `/proc/<pid>/status` (VmHWM, the kernel's high-water mark of resident memory).
 */

/** Kernel clock ticks per second, the unit of CPU times in /proc (USER_HZ; 100 on every common Linux). */
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;

const HAS_TASKSET = process.platform === "linux" && spawnSync("taskset", ["-V"]).status === 0;

/**
 * Whether CPU pinning is available (Linux `taskset`).
 *
 * @returns {boolean}
 */
export function canPin() {
  return HAS_TASKSET;
}

/**
 * Every CPU, as a taskset list ("0-1").
 *
 * @returns {string}
 */
export function allCpus() {
  return `0-${cpus().length - 1}`;
}

/**
 * Pins the calling process (all its threads) to `cpus`, e.g. "1". No-op without taskset.
 *
 * @example
 * pinSelf("1"); // the load generator on CPU 1, the server on CPU 0
 *
 * @param {string} cpus
 */
export function pinSelf(cpus) {
  if (HAS_TASKSET) spawnSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" });
}

/**
 * CPU time (user + system) of `pid`, in seconds; `null` where /proc is missing.
 *
 * @param {number} pid
 * @returns {number | null}
 */
function cpuSecondsOf(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * The live child processes of `pid` (a cluster primary's workers), from /proc; empty where the
 * kernel does not list children.
 *
 * @param {number} pid
 * @returns {number[]}
 */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {string} url
 * @param {() => string} diagnostics
 * @param {() => boolean} exited
 */
async function waitReady(url, diagnostics, exited, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`server exited before it was ready:\n${diagnostics()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server not ready after ${timeoutMs / 1000} s:\n${diagnostics()}`);
}

/**
 * Starts `node <args…>` with `env`, pinned to `cpus` when given, and waits until `readyPath`
 * answers 2xx. stdout (request logs) goes to /dev/null; the tail of stderr is kept for errors.
 *
 * @example
 * const server = await startServer({ args: ["bench/lib/baseline-server.js"], env: { PORT }, port, cpus: "0", readyPath: "/" });
 * const mb = server.peakRssMb();
 * await server.stop();
 *
 * @param {{ args: string[], env: Record<string, string>, port: number, cpus?: string, readyPath: string, nodeFlags?: string[], readyTimeoutMs?: number }} options
 */
export async function startServer(options) {
  const nodeArgs = [...(options.nodeFlags ?? []), ...options.args];
  const [command, args] =
    options.cpus !== undefined && HAS_TASKSET
      ? ["taskset", ["-c", options.cpus, process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const done = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitReady(
      `${url}${options.readyPath}`,
      () => stderr,
      () => exited,
      options.readyTimeoutMs,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    /** taskset execs node, so this is the server's own pid. */
    pid: /** @type {number} */ (child.pid),
    /** Peak resident set size in MB so far (`VmHWM`); `null` where /proc is missing. */
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
        return kb === undefined ? null : Number(kb) / 1024;
      } catch {
        return null;
      }
    },
    /** CPU time (user + system) the server has used so far, in seconds; `null` where /proc is missing. */
    cpuSeconds() {
      return cpuSecondsOf(/** @type {number} */ (child.pid));
    },
    /**
     * CPU time of the server and of its child processes (`tessera serve --workers`: the primary
     * and every worker), in seconds; `null` where /proc is missing. Only processes alive now count,
     * so take both readings while the same workers run.
     */
    treeCpuSeconds() {
      const pid = /** @type {number} */ (child.pid);
      const own = cpuSecondsOf(pid);
      if (own === null) return null;
      return childrenOf(pid).reduce((sum, worker) => sum + (cpuSecondsOf(worker) ?? 0), own);
    },
    /**
     * Seconds the server's main thread has spent runnable but waiting for a CPU (`run_delay` of
     * /proc/<pid>/schedstat): time lost to other processes, not to the server's own work.
     */
    waitSeconds() {
      try {
        const fields = readFileSync(`/proc/${child.pid}/schedstat`, "utf8").trim().split(" ");
        return Number(fields[1]) / 1e9;
      } catch {
        return null;
      }
    },
    /** SIGTERM (the server finishes in-flight requests), SIGKILL after 15 s. */
    async stop() {
      if (exited) return done;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const result = await done;
      clearTimeout(timer);
      return result;
    },
    stderr: () => stderr,
  };
}
