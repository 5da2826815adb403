import { existsSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshClientIp } from "../test-support/instance-call.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";
import { STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";
import {
  oneConnectionPerWorker,
  WORKER_HARNESS_ENV,
  workerConnections,
} from "../test-support/worker-connections.js";

// What one `tessera serve --workers 2` machine does once for all its workers: `/metrics` answers
// the sum of every worker's numbers, whichever worker takes the connection; and one worker (the
// housekeeper) purges expired rows and checkpoints the WAL, a duty its replacement takes over.

describe("tessera serve --workers 2: machine-wide duties", () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "tessera-machine-")));
  const db = join(dir, "machine.db");
  let server: Instance;

  beforeAll(async () => {
    server = await spawnInstance(
      {
        ...WORKER_HARNESS_ENV,
        TESSERA_DATABASE_URL: `sqlite:${db}`,
        TESSERA_PURGE_INTERVAL: "1s",
        TESSERA_RATE_LIMIT_IP: "off",
      },
      ["serve", "--workers", "2"],
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("/metrics over any new connection shows the logins of both workers, summed", async () => {
    const [a, b] = await oneConnectionPerWorker(server, 2);
    if (!a || !b) throw new Error("two workers expected");
    const email = uniqueEmail("machine-metrics");
    const headers = { "x-forwarded-for": freshClientIp() };
    const credentials = { json: { email, password: STRONG_PASSWORD }, headers };
    expect((await a.call("POST", "/auth/register", credentials)).status).toBe(201);
    // 3 logins on one worker, 2 on the other: neither worker alone counts 5.
    for (const c of [a, a, a, b, b])
      expect((await c.call("POST", "/auth/login", credentials)).status).toBe(200);
    a.close();
    b.close();

    const askers = await workerConnections(server, 6);
    expect(new Set(askers.map((c) => c.pid)).size).toBe(2);
    for (const c of askers) {
      const answer = await c.call("GET", "/metrics");
      expect(answer.status).toBe(200);
      const { text } = answer;
      expect(sample(text, 'tessera_logins_total{outcome="success"}')).toBe(5);
      expect(sample(text, "tessera_cluster_workers_reporting")).toBe(2);
      expect(sample(text, "tessera_cluster_workers_missing")).toBe(0);
      // Histograms are summed too: 5 login requests (and the register) across both workers.
      expect(
        sample(
          text,
          'tessera_http_request_duration_seconds_count{method="POST",route="/auth/login",status_code="200"}',
        ),
      ).toBe(5);
      c.close();
    }
  });

  // The checkpointer is a thread with its own connection to the file: the process running it
  // holds the database file open twice, any other once (Linux: read from /proc).
  const openCount = (pid: number) =>
    readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === db;
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  /** The pids of the "purge done" lines logged after `from` characters of output. */
  const purgers = (from = 0) =>
    logLines(server.output().slice(from))
      .filter((l) => l.msg === "purge done: expired rows deleted")
      .map((l) => l.pid);

  it.skipIf(!existsSync("/proc/self/fd"))(
    "one worker purges and checkpoints, the other neither; the housekeeper's replacement takes both over",
    async () => {
      const [a, b] = await oneConnectionPerWorker(server, 2);
      if (!a || !b) throw new Error("two workers expected");
      // Both workers have their store open.
      for (const c of [a, b]) expect((await c.call("GET", "/readyz")).status).toBe(200);
      await waitFor(() => purgers().length >= 3);
      const keeper = new Set(purgers());
      expect(keeper.size).toBe(1);
      const [housekeeper] = keeper;
      const other = housekeeper === a.pid ? b.pid : a.pid;
      expect([a.pid, b.pid]).toContain(housekeeper);
      expect(openCount(housekeeper as number)).toBe(2);
      expect(openCount(other)).toBe(1);

      process.kill(housekeeper as number, "SIGKILL");
      await waitFor(() =>
        server.output().includes(`worker ${housekeeper} exited (SIGKILL); starting another`),
      );
      const from = server.output().length;
      await waitFor(() => purgers(from).length >= 3);
      const [successor, ...more] = new Set(purgers(from));
      expect(more).toEqual([]);
      expect(successor).not.toBe(housekeeper);
      expect(successor).not.toBe(other);
      expect(openCount(successor as number)).toBe(2);
      expect(openCount(other)).toBe(1);
      for (const c of [a, b]) c.close();
    },
  );
});

/** The whole JSON lines of a server's output. */
function logLines(output: string): Array<{ pid: number; msg: string }> {
  return output
    .split("\n")
    .slice(0, -1)
    .filter((text) => text.startsWith("{"))
    .map((text) => JSON.parse(text) as { pid: number; msg: string });
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The value of the sample line `name` (with its labels) in a Prometheus text, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
