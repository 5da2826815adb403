import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { freshClientIp } from "../test-support/instance-call.js";
import { type Instance, runCli, spawnInstance } from "../test-support/spawn-instance.js";
import { MASTER_KEY_HEX, STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";
import {
  oneConnectionPerWorker,
  signInOnTwoWorkers,
  type WorkerConnection,
  workerConnections,
} from "../test-support/worker-connections.js";

// `tessera serve --workers 2` on one SQLite file (WAL): every request below names the worker that
// answered it (a keep-alive connection stays with one worker; the request log says which), so
// each test shows both workers taking part, not just two requests that happened to share one.

const RACERS = 50;
const ISSUER = "http://auth.example.test";
const LOGIN_LIMIT = 4;

describe("tessera serve --workers 2 on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-workers-"));
  const env = (db: string): Record<string, string> => ({
    TESSERA_DATABASE_URL: `sqlite:${join(dir, db)}`,
    TESSERA_MASTER_KEY: MASTER_KEY_HEX,
    TESSERA_ISSUER: ISSUER,
    TESSERA_TRUST_PROXY: "loopback",
    TESSERA_RATE_LIMIT_IP: "off",
    TESSERA_RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/15m`,
    TESSERA_KEEP_ALIVE_TIMEOUT: "2m",
    TESSERA_KEY_RELOAD_INTERVAL: "1s",
    TESSERA_LOG_LEVEL: "info",
  });
  let strict: Instance;
  let graceful: Instance;

  beforeAll(async () => {
    // The flag on one, the environment variable on the other.
    [strict, graceful] = await Promise.all([
      spawnInstance({ ...env("strict.db"), TESSERA_REFRESH_GRACE: "0s" }, ["serve", "--workers", "2"]),
      spawnInstance({ ...env("graceful.db"), TESSERA_WORKERS: "2" }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([strict?.stop(), graceful?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** 50 connections (about half on each worker), one refresh of `refresh` fired on each at once. */
  async function race(server: Instance, refresh: string, csrf: string, ip: string) {
    const connections = await workerConnections(server, RACERS);
    try {
      const pids = new Set(connections.map((c) => c.pid));
      expect(pids.size).toBe(2);
      const answers = await Promise.all(
        connections.map((c) =>
          c.call("POST", "/auth/refresh", {
            refresh,
            headers: { "x-csrf-token": csrf, "x-forwarded-for": ip },
          }),
        ),
      );
      return answers.map((answer, i) => ({ ...answer, pid: (connections[i] as WorkerConnection).pid }));
    } finally {
      for (const c of connections) c.close();
    }
  }

  it("grace 0: of 50 refreshes raced over both workers exactly one wins, the rest are reuse", async () => {
    const ip = freshClientIp();
    const { a, b, refresh, csrf } = await signInOnTwoWorkers(strict, ip);
    const answers = await race(strict, refresh, csrf, ip);
    expect(answers.filter((x) => x.status === 200)).toHaveLength(1);
    const losers = answers.filter((x) => x.status !== 200);
    expect(new Set(losers.map((x) => x.status))).toEqual(new Set([401]));
    for (const loser of losers) expect(["refresh_reused", "session_revoked"]).toContain(loser.body.error);
    // Both workers answered racers, and both lost some: the single winner was decided across them.
    expect(new Set(losers.map((x) => x.pid)).size).toBe(2);
    // Reuse revoked the family: the winner's successor is dead on both workers.
    const winner = answers.find((x) => x.status === 200);
    for (const c of [a, b]) {
      const next = await c.call("POST", "/auth/refresh", {
        refresh: winner?.refresh as string,
        headers: { "x-csrf-token": csrf, "x-forwarded-for": ip },
      });
      expect(next.status).toBe(401);
      c.close();
    }
  });

  it("default grace: all 50 racers over both workers get 200 and the same successor", async () => {
    const ip = freshClientIp();
    const { a, b, refresh, csrf } = await signInOnTwoWorkers(graceful, ip);
    const answers = await race(graceful, refresh, csrf, ip);
    expect(answers.map((x) => x.status)).toEqual(Array(RACERS).fill(200));
    expect(new Set(answers.filter((x) => x.status === 200).map((x) => x.pid)).size).toBe(2);
    const successors = new Set(answers.map((x) => x.refresh));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(successor).not.toBe(refresh);
    // The one live token rotates on either worker.
    const next = await b.call("POST", "/auth/refresh", {
      refresh: successor as string,
      headers: { "x-csrf-token": csrf, "x-forwarded-for": ip },
    });
    expect(next.status).toBe(200);
    a.close();
    b.close();
  });

  it("failed logins alternating between the workers trip the limit at its count, not count × workers", async () => {
    const ip = freshClientIp();
    const { a, b, email } = await signInOnTwoWorkers(strict, ip);
    const headers = { "x-forwarded-for": ip };
    const wrong = { json: { email, password: "not the password at all" }, headers };
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT; i++)
      statuses.push((await (i % 2 === 0 ? a : b).call("POST", "/auth/login", wrong)).status);
    expect(statuses).toEqual(Array(LOGIN_LIMIT).fill(401));
    // Each worker saw only half of the failures; the budget is spent on both.
    for (const c of [a, b]) {
      const refused = await c.call("POST", "/auth/login", wrong);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe("rate_limited");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      const right = await c.call("POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        headers,
      });
      expect(right.status).toBe(429);
      c.close();
    }
  });

  it("a DPoP proof spent on one worker is refused as a replay on the other", async () => {
    const ip = freshClientIp();
    const [a, b] = await oneConnectionPerWorker(strict, 2);
    if (!a || !b) throw new Error("two workers expected");
    const key = await proofKey("ES256");
    const email = uniqueEmail("workers-dpop");
    const headers = { "x-forwarded-for": ip };
    await a.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD }, headers });
    const login = await a.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
      headers: { ...headers, dpop: await makeProof(key, { htm: "POST", htu: `${ISSUER}/auth/login` }) },
    });
    expect(login.body.token_type).toBe("DPoP");
    const access = login.body.access_token as string;
    const proof = await makeProof(key, { htm: "GET", htu: `${ISSUER}/auth/me`, accessToken: access });
    const bound = { ...headers, authorization: `DPoP ${access}`, dpop: proof };
    expect((await a.call("GET", "/auth/me", { headers: bound })).status).toBe(200);
    const replay = await b.call("GET", "/auth/me", { headers: bound });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe("invalid_dpop_proof");
    const fresh = await makeProof(key, { htm: "GET", htu: `${ISSUER}/auth/me`, accessToken: access });
    expect((await b.call("GET", "/auth/me", { headers: { ...bound, dpop: fresh } })).status).toBe(200);
    a.close();
    b.close();
  });

  it("after `tessera keys rotate`, every worker serves the new ring within the reload interval (1 s here)", async () => {
    const ip = freshClientIp();
    const { a, b, refresh, csrf } = await signInOnTwoWorkers(strict, ip);
    const kidsOf = async (c: WorkerConnection) =>
      ((await c.call("GET", "/.well-known/jwks.json")).body.keys as Array<{ kid: string }>).map((k) => k.kid);
    const before = await kidsOf(a);
    expect(await kidsOf(b)).toEqual(before);

    const rotated = await runCli(["keys", "rotate", "--json"], env("strict.db"));
    expect(rotated.code).toBe(0);
    const ring = JSON.parse(rotated.stdout) as Array<{ kid: string; status: string }>;
    const active = ring.find((k) => k.status === "active")?.kid;
    const next = ring.find((k) => k.status === "next")?.kid;
    expect(before).toContain(active); // the promoted key was published before it signs
    expect(before).not.toContain(next);

    // The ring is re-read on the first use after the interval: wait it out once.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    let token = refresh;
    for (const c of [a, b]) {
      expect(await kidsOf(c)).toContain(next);
      const answer = await c.call("POST", "/auth/refresh", {
        refresh: token,
        headers: { "x-csrf-token": csrf, "x-forwarded-for": ip },
      });
      expect(answer.status).toBe(200);
      expect(decodeProtectedHeader(answer.body.access_token).kid).toBe(active);
      token = answer.refresh as string;
      c.close();
    }
  });

  it("a worker that dies while serving is replaced; the other serves meanwhile", async () => {
    const [a, b] = await oneConnectionPerWorker(strict, 2);
    if (!a || !b) throw new Error("two workers expected");
    process.kill(a.pid, "SIGKILL");
    expect((await b.call("GET", "/healthz")).status).toBe(200);
    await waitFor(() => strict.output().includes(`worker ${a.pid} exited (SIGKILL); starting another`));
    await waitFor(() => (strict.output().match(/"msg":"Server listening at/g) ?? []).length >= 3);
    const again = await oneConnectionPerWorker(strict, 2);
    const pids = again.map((c) => c.pid);
    expect(pids).toContain(b.pid);
    expect(pids).not.toContain(a.pid);
    for (const c of [a, b, ...again]) c.close();
  });

  it("a worker that cannot start stops the others, and the primary exits with its status", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      await expect(spawnInstance({ ...env("taken.db"), TESSERA_WORKERS: "2", PORT: port })).rejects.toThrow(
        /exited early \(1\)[\s\S]*EADDRINUSE[\s\S]*a worker exited during start-up/,
      );
    } finally {
      taken.close();
    }
  });

  it("SIGTERM to the primary: requests in flight on both workers finish, every process exits, status 0", async () => {
    const ip = freshClientIp();
    const { a, b, email } = await signInOnTwoWorkers(graceful, ip);
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Each worker has read the headers of a login (it answered 100 Continue) whose body has not
    // been sent yet when the signal arrives.
    let started = 0;
    const inFlight = [a, b].map((c) =>
      c.call("POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        headers: { "x-forwarded-for": ip },
        hold: { started: () => started++, until },
      }),
    );
    await waitFor(() => started === 2);
    const stopped = graceful.stop();
    await waitFor(
      () => (graceful.output().match(/SIGTERM: finishing in-flight requests/g) ?? []).length === 2,
    );
    release();
    const answers = await Promise.all(inFlight);
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    expect(answers.map((x) => x.headers.get("connection"))).toEqual(["close", "close"]);
    expect(await stopped).toBe(0);
    // No worker is left behind.
    for (const pid of [a.pid, b.pid]) expect(alive(pid)).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
