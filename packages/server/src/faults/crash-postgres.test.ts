import { inspectPostgresDatabase, postgresTestsEnabled } from "@tessera/store-postgres/testing";
import { afterAll, describe, expect, it } from "vitest";
import { LOAD_ENV } from "../test-support/fault-workspace.js";
import { checkSessions, openSessions, reportFault, runRefreshLoad } from "../test-support/refresh-load.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";
import { useCluster } from "../test-support/use-cluster.js";

// One instance of three on PostgreSQL killed with SIGKILL while 64 connections refresh over all
// three. Its clients retry on the other two with the token they hold (the rotation either never
// committed — PostgreSQL rolls back a transaction whose connection died — or did, and the grace
// window hands back the same successor). The killed instance is started again and every session
// is checked through it; no rotation chain forks and no rotation is half written.

const SESSIONS = 64;
const REFRESHES_BEFORE_KILL = 100;
const REFRESHES_AFTER_KILL = 64;

describe.skipIf(!postgresTestsEnabled())(
  "SIGKILL of one instance of three during refresh load (PostgreSQL)",
  () => {
    const cluster = useCluster({ instances: 3, env: { ...LOAD_ENV, TESSERA_REFRESH_GRACE: "60s" } });
    let restarted: Instance | undefined;
    afterAll(() => restarted?.stop());

    it("loses no session; the others carry the load", { timeout: 60_000 }, async () => {
      const [victim, ...survivors] = cluster.instances as [Instance, Instance, Instance];
      const sessions = await openSessions(victim.url, SESSIONS);

      let targets = cluster.urls;
      const load = runRefreshLoad(sessions, { targets: () => targets });
      await load.okAfter(REFRESHES_BEFORE_KILL);
      targets = survivors.map((instance) => instance.url);
      const inFlight = load.fault(victim.url);
      expect((await victim.kill("SIGKILL")).signal).toBe("SIGKILL");
      await load.okAfter(REFRESHES_AFTER_KILL);
      const figures = await load.stop();

      restarted = await spawnInstance(cluster.env);
      const check = await checkSessions(restarted.url, sessions);
      const db = await inspectPostgresDatabase(cluster.databaseUrl);

      reportFault("SIGKILL of 1 instance of 3 (PostgreSQL)", {
        faults: 1,
        inFlight,
        checked: check.checked,
        lost: check.lost.length,
        fiveXx: figures.undocumented5xx,
        extra: `refreshes ${figures.ok}, answers lost ${figures.lostAnswers}, sessions hit by the kill ${check.hitByFault}`,
      });
      expect(figures.refused).toEqual({});
      expect(check.lost).toEqual([]);
      expect(check.checked).toBe(SESSIONS);
      expect(db.forkedSessions).toEqual([]);
      expect(db.danglingSuccessors).toBe(0);
      expect(db.sessions).toBe(SESSIONS);
    });
  },
);
