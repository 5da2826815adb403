import { afterAll, describe, expect, it } from "vitest";
import { sqliteWorkspace } from "../test-support/fault-workspace.js";
import { rawConnection } from "../test-support/raw-http.js";
import { checkSessions, openSessions, reportFault, runRefreshLoad } from "../test-support/refresh-load.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";

// SIGTERM while 64 connections refresh. `/readyz` turns 503 `shutting_down` at once while the
// refreshes are still served (the drain, so a load balancer takes the instance out); then new
// requests are answered 503 `shutting_down` with `Connection: close` while every request that was
// on its way finishes and gets its answer with `Connection: close`; then the process exits 0, and
// nothing is half written: every session refreshes after a restart, the file is sound.

const SESSIONS = 64;

describe("SIGTERM during refresh load", () => {
  const ws = sqliteWorkspace("shutdown", {
    TESSERA_SHUTDOWN_DRAIN: "2s",
    TESSERA_MAX_CONNECTIONS_PER_IP: "1000",
  });
  const { env } = ws;
  let instance: Instance | undefined;

  afterAll(async () => {
    await instance?.stop();
    ws.dispose();
  });

  it("drains, finishes what is in flight, refuses the rest cleanly", { timeout: 60_000 }, async () => {
    instance = await spawnInstance(env);
    const stopping = instance;
    const sessions = await openSessions(stopping.url, SESSIONS);
    const load = runRefreshLoad(sessions, {
      targets: () => [stopping.url],
      stopOnLostAnswer: true,
      allowed: ["503 shutting_down"],
    });
    await load.okAfter(64);

    const inFlight = load.fault();
    const okAtSignal = load.figures().ok;
    const exited = stopping.kill("SIGTERM");
    // The signal is handled between requests: /readyz turns 503 within a few polls.
    const ready = await readyzUntilRefused(stopping.url);
    expect(ready).toMatchObject({ status: 503, error: "shutting_down" });

    // A request begun during the drain (headers sent, body held) keeps running past it: it is
    // answered, with `Connection: close`, and a request pipelined behind it is not run.
    const held = await rawConnection(stopping.url);
    const form = "grant_type=refresh_token&refresh_token=held";
    held.write(
      `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`,
    );
    // Still serving while /readyz says no: more refreshes answered than were in flight at the signal.
    await load.okAfter(inFlight + 1);
    // After the drain, while the held request still runs, a new request is refused with 503
    // `shutting_down` and `Connection: close`, before anything runs.
    const refused = await untilRefusing(stopping.url);
    expect(refused).toEqual({ status: 503, error: "shutting_down", connection: "close" });
    held.write(`${form}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const answered = await held.response();
    expect(answered.status).toBe(400);
    expect(JSON.parse(answered.body)).toMatchObject({ error: "invalid_grant" });
    expect(answered.headers.connection).toBe("close");
    await expect(held.response()).rejects.toThrow(/connection closed/);
    expect(await exited).toEqual({ code: 0, signal: null });
    const figures = await load.stop();

    instance = await spawnInstance(env);
    const check = await checkSessions(instance.url, sessions);
    await instance.stop();

    reportFault("SIGTERM under load (SQLite)", {
      faults: 1,
      inFlight,
      checked: check.checked,
      lost: check.lost.length,
      fiveXx: figures.undocumented5xx,
      extra: `refreshes during the drain and close ${figures.ok - okAtSignal}, connections refused after close ${figures.lostAnswers}`,
    });
    expect(figures.unansweredAtFault).toBe(0);
    expect(figures.undocumented5xx).toBe(0);
    // The only refusals the load met: the documented 503 of a server shutting down.
    for (const key of Object.keys(figures.refused)) expect(key).toBe("503 shutting_down");
    expect(check.lost).toEqual([]);
    ws.expectSound();
  });
});

/** Polls `/readyz` (a lost keep-alive race is retried) until it is not 200; bounded. */
async function readyzUntilRefused(url: string): Promise<{ status: number; error?: string }> {
  for (let poll = 0; poll < 200; poll++) {
    const res = await fetch(new URL("/readyz", url)).catch(() => null);
    if (res && res.status !== 200) return { status: res.status, ...((await res.json()) as object) };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("/readyz stayed 200 after SIGTERM");
}

/** Polls `/healthz` on fresh connections until it answers 503 (the refusing phase); bounded. */
async function untilRefusing(
  url: string,
): Promise<{ status: number; error: string | undefined; connection: string | null }> {
  for (let poll = 0; poll < 500; poll++) {
    const res = await fetch(new URL("/healthz", url), { headers: { connection: "close" } }).catch(() => null);
    if (res && res.status !== 200) {
      const body = (await res.json()) as { error?: string };
      return { status: res.status, error: body.error, connection: res.headers.get("connection") };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("/healthz was never refused after the drain");
}
