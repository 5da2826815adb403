import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildCli } from "./cli-process.js";

// The real `tessera` binary, bundled from source (sibling packages inlined, npm dependencies left
// to node_modules) so these tests need no prior build and always run the code under test.

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** Only what the CLI needs: no inherited TESSERA_* or NODE_ENV from the test runner. */
function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", TESSERA_LOG_LEVEL: "warn", ...env };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one `tessera` command to completion (bounded: killed after 30 s).
 *
 * @example
 * const res = await runCli(["migrate"], { TESSERA_DATABASE_URL: url, TESSERA_MASTER_KEY: key });
 */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const cli = await buildCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: childEnv(env), cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** One `tessera serve` process listening on 127.0.0.1. */
export interface Instance {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Everything the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves to the exit status. */
  stop(): Promise<number | null>;
  /** The server's pid (the cluster primary's with `--workers`), for tools that act on it (`prlimit`). */
  pid: number;
  /** Sends `signal` (e.g. SIGKILL for a crash) and resolves with the exit once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
// If the test process dies without afterAll, do not leave servers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts `tessera serve` as a child process on a free port of 127.0.0.1 and resolves once it
 * printed its URL.
 *
 * @example
 * const instance = await spawnInstance({ TESSERA_DATABASE_URL: url, TESSERA_MASTER_KEY: key });
 * await fetch(`${instance.url}/readyz`);
 * await instance.stop();
 */
export async function spawnInstance(
  env: Record<string, string>,
  args: string[] = ["serve"],
): Promise<Instance> {
  const cli = await buildCli();
  const child = spawn(process.execPath, [cli, ...args], {
    env: childEnv({ HOST: "127.0.0.1", PORT: "0", ...env }),
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  void exited.then(() => running.delete(child));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`tessera serve ${why}:\n${output.slice(-2_000)}`));
    };
    const early = (code: number | null) => fail(`exited early (${code})`);
    child.once("exit", early);
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
      const match = /tessera listening on http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.removeListener("exit", early);
        resolve(Number(match[1]));
      }
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      child.kill("SIGTERM");
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Runs `tessera migrate` from `count` processes at once (as a deploy of several instances
 * would), then starts `count` instances of `tessera serve` on the same configuration.
 *
 * @example
 * const instances = await startInstances(3, { TESSERA_DATABASE_URL: url, TESSERA_REDIS_URL: redisUrl });
 */
export async function startInstances(count: number, env: Record<string, string>): Promise<Instance[]> {
  const migrations = await Promise.all(Array.from({ length: count }, () => runCli(["migrate"], env)));
  for (const run of migrations) {
    if (run.code !== 0) throw new Error(`tessera migrate failed (${run.code}): ${run.stderr}`);
  }
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnInstance(env)));
  const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    await Promise.all(instances.map((instance) => instance.stop()));
    throw failure.reason;
  }
  return instances;
}
