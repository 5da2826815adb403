import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshClientIp } from "../test-support/instance-call.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";
import { signInOnTwoWorkers, WORKER_HARNESS_ENV } from "../test-support/worker-connections.js";

// On PostgreSQL `--workers` simply runs N stateless servers on one port: a smoke test that both
// serve, and that a session moves between them (each refresh on the other worker).

describe.skipIf(!postgresTestsEnabled())("tessera serve --workers 2 on PostgreSQL", () => {
  let pg: TestPostgres;
  let server: Instance;

  beforeAll(async () => {
    pg = await startTestPostgres();
    server = await spawnInstance(
      {
        ...WORKER_HARNESS_ENV,
        TESSERA_DATABASE_URL: await pg.createDatabase(),
      },
      ["serve", "--workers", "2"],
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await pg?.stop();
  });

  it("both workers serve; a session refreshes on each in turn; SIGTERM exits 0", async () => {
    const ip = freshClientIp();
    const { a, b, refresh: first, csrf } = await signInOnTwoWorkers(server, ip);
    expect(a.pid).not.toBe(b.pid);
    const headers = { "x-forwarded-for": ip };
    let refresh = first;
    for (const c of [a, b, a, b]) {
      const answer = await c.call("POST", "/auth/refresh", {
        refresh,
        headers: { ...headers, "x-csrf-token": csrf },
      });
      expect(answer.status).toBe(200);
      const me = await (c === a ? b : a).call("GET", "/auth/me", {
        bearer: answer.body.access_token,
        headers,
      });
      expect(me.status).toBe(200);
      refresh = answer.refresh as string;
    }
    a.close();
    b.close();
    expect(await server.stop()).toBe(0);
  });
});
