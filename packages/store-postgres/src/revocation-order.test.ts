import type { Store } from "@tessera/core";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "./db.js";
import { appendRevocations } from "./revocations.js";
import { createPostgresStore } from "./store.js";

const T0 = Date.UTC(2030, 0, 1);

async function seedUserWithSessions(store: Store, userId: string, count: number): Promise<string[]> {
  await store.createUser(makeUser({ id: userId, email: `${userId}@example.test`, createdAt: T0 }));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${userId}_s${i}`;
    await store.createSession(
      makeSession(userId, { id, createdAt: T0, expiresAt: T0 + 86_400_000 }),
      makeToken(id, { id: `${id}_rt`, createdAt: T0, expiresAt: T0 + 3_600_000 }),
      0,
    );
    ids.push(id);
  }
  return ids;
}

/** Poll `check` until it is true, at most `ms` (a bound, not a timing assertion). */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!postgresTestsEnabled())("PostgreSQL revocation feed order", () => {
  let server: TestPostgres;
  let url: string;
  let store: Store;
  beforeAll(async () => {
    server = await startTestPostgres();
    url = await server.createDatabase();
    store = createPostgresStore({ connectionString: url });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  // Regression: an identity cursor drawn by a transaction that commits later than a transaction
  // with a higher cursor lets a follower jump past the lower one and never see it.
  it("never shows a later cursor while an earlier one is still uncommitted", async () => {
    const [first, second] = await seedUserWithSessions(store, "usr_order", 2);
    const before = (await store.listRevocations(0, 1000)).at(-1)?.cursor ?? 0;

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tx: Queryable = {
      query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
    };
    try {
      await client.query("BEGIN");
      // Draws the lower cursor and keeps its transaction open.
      await appendRevocations(tx, [
        { kind: "session", userId: "usr_order", sessionId: first!, epoch: null, at: T0 },
      ]);

      const later = store.revokeSession(second!, T0 + 1, "logout");
      // The later revocation must wait for the open transaction rather than commit a higher cursor.
      await eventually(async () => {
        const rows = await client.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        return rows.rowCount === 1;
      });
      expect(await store.listRevocations(before, 1000)).toEqual([]);

      await client.query("COMMIT");
      expect(await later).toBe(true);
      const events = await store.listRevocations(before, 1000);
      expect(events.map((e) => e.sessionId)).toEqual([first, second]);
      expect(events[0]!.cursor).toBeLessThan(events[1]!.cursor);
    } finally {
      await client.end();
    }
  });

  it("a follower polling during concurrent revocations on three pools sees every event", async () => {
    const sessions = await seedUserWithSessions(store, "usr_follow", 30);
    const pools = [
      store,
      createPostgresStore({ connectionString: url }),
      createPostgresStore({ connectionString: url }),
    ];
    let cursor = (await store.listRevocations(0, 1000)).at(-1)?.cursor ?? 0;
    const seen: string[] = [];
    let done = false;
    const follow = async () => {
      while (!done || seen.length < sessions.length) {
        const page = await store.listRevocations(cursor, 5);
        for (const event of page) {
          if (event.sessionId) seen.push(event.sessionId);
          cursor = event.cursor;
        }
        if (page.length === 0) {
          if (done) break;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    };
    try {
      const follower = follow();
      await Promise.all(sessions.map((id, i) => pools[i % 3]!.revokeSession(id, T0 + i, "logout")));
      done = true;
      await follower;
      expect([...seen].sort()).toEqual([...sessions].sort());
    } finally {
      await pools[1]!.close();
      await pools[2]!.close();
    }
  });
});
