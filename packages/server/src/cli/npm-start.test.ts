// `npm start` from the repository root, as a user runs it: SIGTERM to the npm process must reach
// the server (graceful shutdown), never leave it running as an orphan holding the port.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "tessera-npm-start-"));
let started: ChildProcess | undefined;

afterAll(() => {
  for (const pid of descendants(started?.pid ?? -1)) process.kill(pid, "SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/** Every live process below `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {}
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe.skipIf(process.platform !== "linux")("npm start", () => {
  it("SIGTERM to npm shuts the server down gracefully and frees the port", async () => {
    const npm = spawn("npm", ["start", "--silent"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: work,
        PORT: "0",
        TESSERA_DATABASE_URL: `sqlite:${join(work, "data", "tessera.db")}`,
        TESSERA_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started = npm;
    let stdout = "";
    let stderr = "";
    npm.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      npm.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on http:\/\/[^:]+:(\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      npm.once("exit", (code) => reject(new Error(`npm start exited (${code}): ${stdout}${stderr}`)));
    });
    expect(await portAnswers(port)).toBe(true);
    const below = descendants(npm.pid ?? -1);
    expect(below.length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    npm.kill("SIGTERM");
    await exited;
    // The server logs its graceful stop, then every process npm started is gone.
    for (let i = 0; i < 100 && below.some((pid) => existsSync(`/proc/${pid}`)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(below.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(stderr).toContain("SIGTERM: finishing in-flight requests");
    expect(await portAnswers(port)).toBe(false);
  }, 120_000);
});
