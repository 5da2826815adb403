import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A Redis server for tests: started here, or an existing one given by URL. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stop the server (and delete its temp dir); a no-op for an existing server. */
  stop(): Promise<void>;
}

/** Path of `redis-server`: `$TESSERA_REDIS_SERVER`, or the first on PATH. */
export function findRedisServer(): string | null {
  const candidates = [process.env.TESSERA_REDIS_SERVER ?? ""];
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir) candidates.push(join(dir, "redis-server"));
  return candidates.find((path) => path !== "" && existsSync(path)) ?? null;
}

/**
 * Whether Redis tests can run. When they cannot: in CI (`$CI` set) this throws, so the test file
 * fails instead of silently skipping; elsewhere it prints a loud warning and returns false.
 *
 * @example
 * describe.skipIf(!redisTestsEnabled())("with Redis", () => { … });
 */
export function redisTestsEnabled(): boolean {
  if (process.env.TESSERA_TEST_REDIS_URL) return true;
  if (findRedisServer()) return true;
  const reason =
    "redis-server not found. Install Debian's `redis-server` package, set TESSERA_REDIS_SERVER, or set TESSERA_TEST_REDIS_URL to an existing server.";
  if (process.env.CI) throw new Error(`Redis tests cannot run in CI: ${reason}`);
  console.warn(`\n${"!".repeat(100)}\n!!! SKIPPING Redis tests: ${reason}\n${"!".repeat(100)}\n`);
  return false;
}

/**
 * Start a throwaway `redis-server` on 127.0.0.1 at a free port (no persistence), or use the server
 * at `$TESSERA_TEST_REDIS_URL`. Tests sharing one server should use their own key and channel
 * names.
 *
 * @example
 * let redis: TestRedis;
 * beforeAll(async () => { redis = await startTestRedis(); });
 * afterAll(() => redis.stop());
 */
export async function startTestRedis(): Promise<TestRedis> {
  const external = process.env.TESSERA_TEST_REDIS_URL;
  if (external) return { url: external, stop: async () => {} };
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server not found (see redisTestsEnabled)");

  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      const child = await launchRedisServer(binary, dir, port);
      const onExit = () => {
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      };
      // If the test process dies without afterAll, do not leave a server behind.
      process.once("exit", onExit);
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          process.removeListener("exit", onExit);
          if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // Another process may have taken the port between our probe and the start.
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/**
 * Start `redis-server` (no persistence, loopback only) on `port` with its files in `dir`, and
 * resolve once it accepts connections; used again to restart a server on the same port.
 *
 * @example
 * const child = await launchRedisServer(findRedisServer() ?? "redis-server", dir, await freePort());
 */
export function launchRedisServer(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  args.push("--dir", dir, "--logfile", "", "--daemonize", "no", "--protected-mode", "yes");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error("redis-server did not become ready in 10 s")), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", fail);
    child.once("exit", (code) =>
      fail(new Error(`redis-server exited early (${code}): ${output.slice(-500)}`)),
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
}

/**
 * A port of 127.0.0.1 that was free a moment ago.
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
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
