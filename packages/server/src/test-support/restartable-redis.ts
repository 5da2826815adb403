import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRedisServer, freePort, launchRedisServer } from "@tessera/store-redis/testing";

/** A throwaway `redis-server` that can be stopped and started again on the same port. */
export interface RestartableRedis {
  url: string;
  /** Stops the server (its data is gone: no persistence, as a crashed cache would be). */
  halt(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1, to test what a Redis outage does.
 *
 * @example
 * const redis = await startRestartableRedis();
 * await redis.halt(); … await redis.resume();
 */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server not found");
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-outage-"));
  const port = await freePort();
  let child: ChildProcess | null = await launchRedisServer(binary, dir, port);
  const kill = () => child?.kill("SIGKILL");
  process.once("exit", kill);

  const halt = async () => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGKILL");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    halt,
    async resume() {
      child = await launchRedisServer(binary, dir, port);
    },
    async stop() {
      process.removeListener("exit", kill);
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
