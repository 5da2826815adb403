import { TesseraError } from "@tessera/core";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "./store.js";

const T0 = Date.UTC(2030, 0, 1);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof TesseraError ? error.code : `not a TesseraError: ${String(error)}`;
  }
  return "resolved";
}

describe.skipIf(!postgresTestsEnabled())("PostgreSQL outage and recovery", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("fails with store_unavailable while PostgreSQL is down and recovers by itself, losing nothing", async (ctx) => {
    if (!server.outage) {
      ctx.skip("an external server (TESSERA_TEST_POSTGRES_URL) cannot be stopped by the test");
      return;
    }
    const store = createPostgresStore({
      connectionString: await server.createDatabase(),
      pool: { max: 4, connectionTimeoutMillis: 2_000 },
    });
    try {
      await store.migrate();
      const user = makeUser({ id: "usr_outage", email: "outage@example.test", createdAt: T0 });
      await store.createUser(user);
      const session = makeSession(user.id, { id: "ses_outage", createdAt: T0, expiresAt: T0 + 86_400_000 });
      const token = makeToken(session.id, { id: "rt_outage_1", createdAt: T0, expiresAt: T0 + 3_600_000 });
      await store.createSession(session, token, 0);
      // Warm the pool so that idle connections exist when the server goes away.
      await Promise.all([store.ping(), store.ping(), store.getUserById(user.id)]);

      await server.outage.halt();

      const successor = { ...token, id: "rt_outage_2", secretHash: "hash2", createdAt: T0 + 1000 };
      const rotate = () =>
        store.rotateRefreshToken({
          tokenId: token.id,
          now: T0 + 1000,
          successor,
          successorSealed: "sealed",
          ip: null,
          userAgent: null,
        });
      expect(await codeOf(store.ping())).toBe("store_unavailable");
      expect(await codeOf(store.getUserById(user.id))).toBe("store_unavailable");
      expect(await codeOf(rotate())).toBe("store_unavailable");
      expect(await codeOf(store.revokeUserSessions({ userId: user.id, now: T0, reason: "logout_all" }))).toBe(
        "store_unavailable",
      );

      await server.outage.resume();

      // Same store object, same pool: no restart.
      await store.ping();
      expect(await store.getUserById(user.id)).toEqual(user);
      expect((await store.getRefreshToken(token.id))?.token).toEqual(token);
      // The failed calls wrote nothing; the rotation works now, exactly once.
      expect(
        await store.rotateRefreshToken({
          tokenId: token.id,
          now: T0 + 2000,
          successor,
          successorSealed: "s",
          ip: null,
          userAgent: null,
        }),
      ).toEqual({ outcome: "rotated", user });
      expect((await store.getUserById(user.id))?.tokenEpoch).toBe(0);
    } finally {
      await store.close();
    }
  });
});
