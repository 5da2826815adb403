import { postgresTestsEnabled } from "@tessera/store-postgres/testing";
import { describe, expect, it } from "vitest";
import { callInstance } from "../test-support/instance-call.js";
import { ADMIN_AUTH, ADMIN_ENV, uniqueEmail } from "../test-support/test-server.js";
import { useCluster } from "../test-support/use-cluster.js";

// Two `tessera serve` processes on one PostgreSQL: one login ticket is redeemed 40 times at once,
// round-robin over both. The store's single DELETE … RETURNING must leave exactly one winner.

const RACERS = 40;

describe.skipIf(!postgresTestsEnabled())("login ticket raced over 2 instances on PostgreSQL", () => {
  const cluster = useCluster({
    instances: 2,
    env: {
      ...ADMIN_ENV,
      TESSERA_ISSUER: "http://auth.example.test",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
    },
  });

  it(`of ${RACERS} concurrent redemptions exactly one answers 200, the rest 401 invalid_ticket`, async () => {
    const [first, second] = cluster.instances;
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
