import {
  inspectPostgresDatabase,
  postgresTestsEnabled,
  type TestPostgres,
} from "@tessera/store-postgres/testing";
import type { RevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled } from "@tessera/store-redis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callInstance } from "../test-support/instance-call.js";
import { expectLoginBudgetRunsOut, watchedLogin } from "../test-support/redis-verifier.js";
import {
  checkSessions,
  type LoadSession,
  openSessions,
  reportFault,
  runRefreshLoad,
} from "../test-support/refresh-load.js";
import { startRestartableRedis } from "../test-support/restartable-redis.js";
import { msUntilRefused } from "../test-support/revocation-wait.js";
import type { Instance } from "../test-support/spawn-instance.js";
import { useCluster } from "../test-support/use-cluster.js";

// Two instances on PostgreSQL and Redis under refresh load. PostgreSQL killed mid-transaction
// (`pg_ctl stop -m immediate`: open transactions aborted, no shutdown checkpoint) and started
// again: only 200 or 503 `store_unavailable`, never a 500; the instances recover by themselves;
// nothing is lost (a rotation whose COMMIT was acknowledged by nobody is either rolled back or
// handed back by the grace window). Redis killed and started again (empty): refreshes never fail
// (Redis holds nothing needed), the failed-login budget still runs out per instance, and a
// revocation made meanwhile reaches a Redis-attached verifier once Redis is back.

const ISSUER = "http://auth.example.test";
const SESSIONS = 32;
const LOGIN_LIMIT = 3;

describe.skipIf(
  !postgresTestsEnabled() || !redisTestsEnabled() || Boolean(process.env.TESSERA_TEST_POSTGRES_URL),
)("store outages under refresh load", () => {
  const cluster = useCluster({
    instances: 2,
    redis: startRestartableRedis,
    // Commits acknowledged only once their WAL is written: PostgreSQL is killed here, and the
    // throwaway default (synchronous_commit=off) would lose answered commits by design.
    durableCommits: true,
    env: {
      TESSERA_ISSUER: ISSUER,
      TESSERA_REFRESH_GRACE: "60s",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/15m`,
      TESSERA_TRUST_PROXY: "loopback",
    },
  });
  let sessions: LoadSession[] = [];
  let revocation: RevocationSource | undefined;

  beforeAll(async () => {
    sessions = await openSessions(cluster.urls[0] as string, SESSIONS);
  });
  afterAll(() => revocation?.close());

  const targets = () => cluster.urls;

  it("PostgreSQL killed mid-transaction: 503s only, recovery without a restart, nothing lost", async () => {
    const outage = cluster.pg.outage as NonNullable<TestPostgres["outage"]>;
    const load = runRefreshLoad(sessions, { targets, allowed: ["503 store_unavailable"] });
    await load.okAfter(SESSIONS);
    const inFlight = load.fault();
    await outage.halt("immediate");
    try {
      for (let poll = 0; (load.figures().refused["503 store_unavailable"] ?? 0) < SESSIONS; poll++) {
        if (poll > 400) throw new Error(`no refusals while down: ${JSON.stringify(load.figures())}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await outage.resume();
    }
    await load.okAfter(SESSIONS);
    const figures = await load.stop();
    const check = await checkSessions(cluster.urls[1] as string, sessions);
    const db = await inspectPostgresDatabase(cluster.databaseUrl);

    reportFault("PostgreSQL killed (-m immediate) and restarted, 2 instances", {
      faults: 1,
      inFlight,
      checked: check.checked,
      lost: check.lost.length,
      fiveXx: figures.undocumented5xx,
      extra: `503 store_unavailable ${figures.refused["503 store_unavailable"] ?? 0}, refreshes ${figures.ok}`,
    });
    expect(figures.undocumented5xx).toBe(0);
    expect(Object.keys(figures.refused)).toEqual(["503 store_unavailable"]);
    expect(figures.lostAnswers).toBe(0);
    expect(check.lost).toEqual([]);
    expect(db.forkedSessions).toEqual([]);
    expect(db.danglingSuccessors).toBe(0);
  });

  it("Redis killed: refreshes go on, limits hold per instance, revocations catch up", async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const watched = await watchedLogin(a, b, cluster.redis.url, ISSUER, "redis-fault");
    revocation = watched.revocation;
    const { email, access, verifier, userId } = watched;

    const load = runRefreshLoad(sessions, { targets });
    await load.okAfter(SESSIONS);
    const inFlight = load.fault();
    await cluster.redis.halt();
    await load.okAfter(SESSIONS);

    // The failed-login budget is counted in the instance's memory meanwhile.
    await expectLoginBudgetRunsOut(a.url, email, LOGIN_LIMIT);
    // A revocation commits in PostgreSQL; a Redis-attached verifier keeps its last state meanwhile.
    const logoutAll = await callInstance(b.url, "POST", "/auth/logout-all", { bearer: access });
    expect(logoutAll.status).toBe(204);
    await expect(verifier.verify(access)).resolves.toMatchObject({ sub: userId });

    await cluster.redis.resume();
    const back = performance.now();
    expect((await msUntilRefused(verifier, access, back, 10_000, 20)).code).toBe("token_revoked");
    await load.okAfter(SESSIONS);
    const figures = await load.stop();
    const check = await checkSessions(a.url, sessions);

    reportFault("Redis killed and restarted (empty), 2 instances", {
      faults: 1,
      inFlight,
      checked: check.checked,
      lost: check.lost.length,
      fiveXx: figures.undocumented5xx,
      extra: `refreshes ${figures.ok}, refused ${Object.values(figures.refused).reduce((sum, n) => sum + n, 0)}`,
    });
    expect(figures.refused).toEqual({});
    expect(figures.lostAnswers).toBe(0);
    expect(check.lost).toEqual([]);
  });
});
