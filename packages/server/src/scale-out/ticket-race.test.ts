import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callInstance } from "../test-support/instance-call.js";
import { type Instance, startInstances } from "../test-support/spawn-instance.js";
import { ADMIN_AUTH, ADMIN_ENV, MASTER_KEY_HEX, uniqueEmail } from "../test-support/test-server.js";

// Two `tessera serve` processes on one PostgreSQL: one login ticket is redeemed 40 times at once,
// round-robin over both. The store's single DELETE … RETURNING must leave exactly one winner.

const RACERS = 40;

describe.skipIf(!postgresTestsEnabled())("login ticket raced over 2 instances on PostgreSQL", () => {
  let pg: TestPostgres;
  let instances: Instance[] = [];

  beforeAll(async () => {
    pg = await startTestPostgres();
    instances = await startInstances(2, {
      ...ADMIN_ENV,
      TESSERA_DATABASE_URL: await pg.createDatabase(),
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_ISSUER: "http://auth.example.test",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await pg?.stop();
  });

  it(`of ${RACERS} concurrent redemptions exactly one answers 200, the rest 401 invalid_ticket`, async () => {
    const [first, second] = instances;
    if (!first || !second) throw new Error("need two instances");
    const created = await callInstance(first.url, "POST", "/admin/users", {
      json: { email: uniqueEmail("ticket-race") },
      headers: ADMIN_AUTH,
    });
    expect(created.status).toBe(201);
    const userId = created.body.user.id as string;
    for (let round = 0; round < 3; round++) {
      const issued = await callInstance(second.url, "POST", "/admin/login-tickets", {
        json: { user_id: userId },
        headers: ADMIN_AUTH,
      });
      expect(issued.status).toBe(201);
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          callInstance((i % 2 === 0 ? first : second).url, "POST", "/auth/login/ticket", {
            json: { ticket: issued.body.ticket },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401 && r.body.error === "invalid_ticket")).toHaveLength(
        RACERS - 1,
      );
    }
    const sessions = await callInstance(first.url, "GET", `/admin/users/${userId}/sessions`, {
      headers: ADMIN_AUTH,
    });
    expect(sessions.body.sessions).toHaveLength(3);
  });
});
