import { afterAll, describe, expect, it } from "vitest";
import { sqliteWorkspace } from "../test-support/fault-workspace.js";
import { checkSessions, openSessions, reportFault, runRefreshLoad } from "../test-support/refresh-load.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";

// `tessera serve` on SQLite killed with SIGKILL while 64 connections refresh, then started again
// on the same file. A refresh is answered only after its group's COMMIT, and SQLite's WAL with
// synchronous=NORMAL survives a process crash: every answered token must work after the restart,
// every unanswered one must still refresh (never committed, or committed and inside the grace
// window, which then hands back the same successor), no rotation chain forks, the file is sound.

const SESSIONS = 64;
const REFRESHES_BEFORE_KILL = 100;

describe("SIGKILL during refresh load (SQLite)", () => {
  // A client retrying a lost answer after the restart must still be inside the window.
  const ws = sqliteWorkspace("crash", { TESSERA_REFRESH_GRACE: "60s" });
  const { env } = ws;
  let instance: Instance | undefined;

  afterAll(async () => {
    await instance?.stop();
    ws.dispose();
  });

  it("loses no session and leaves a sound file", { timeout: 60_000 }, async () => {
    instance = await spawnInstance(env);
    const sessions = await openSessions(instance.url, SESSIONS);
    const first = instance;
    const load = runRefreshLoad(sessions, { targets: () => [first.url], stopOnLostAnswer: true });
    await load.okAfter(REFRESHES_BEFORE_KILL);
    const inFlight = load.fault();
    const exit = await first.kill("SIGKILL");
    expect(exit.signal).toBe("SIGKILL");
    const figures = await load.stop();
    expect(figures.refused).toEqual({});

    instance = await spawnInstance(env);
    const check = await checkSessions(instance.url, sessions);
    await instance.stop();

    reportFault("SIGKILL of the only instance (SQLite)", {
      faults: 1,
      inFlight,
      checked: check.checked,
      lost: check.lost.length,
      fiveXx: figures.undocumented5xx,
      extra: `refreshes before the kill ${figures.ok}, sessions hit by the kill ${check.hitByFault}`,
    });
    expect(check.lost).toEqual([]);
    expect(check.checked).toBe(SESSIONS);
    expect(figures.undocumented5xx).toBe(0);
    expect(ws.expectSound().sessions).toBe(SESSIONS);
  });
});
