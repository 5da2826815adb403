import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRedisServer } from "@tessera/store-redis/testing";

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
  let child: ChildProcess | null = await launch(binary, dir, port);
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
      child = await launch(binary, dir, port);
    },
    async stop() {
      process.removeListener("exit", kill);
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function launch(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  args.push("--dir", dir, "--logfile", "", "--daemonize", "no");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error("redis-server did not become ready in 10 s")), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const early = (code: number | null) =>
      fail(new Error(`redis-server exited (${code}): ${output.slice(-500)}`));
    child.once("exit", early);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.removeListener("exit", early);
        resolve(child);
      }
    });
  });
}

function freePort(): Promise<number> {
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
