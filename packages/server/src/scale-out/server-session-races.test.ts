import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Store } from "@tessera/core";
import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ORIGIN,
  SESSION_PASSWORD,
  type SessionApp,
  setSessionValue,
  startSessionApp,
} from "../test-support/session-app.js";

// A privilege change and a request with the old cookie never both succeed after the change
// commits: two app instances over one store; requests with the old cookie are fired at both,
// without pause, while the change runs on one of them. Every request sent after the change
// resolved must be refused; those in flight may go either way. Nothing caches a session.

const ROUNDS = 5;
/** Requests each instance sends after the change resolved, per round. */
const AFTER = 5;

type Change = (instance: SessionApp, email: string, sessionId: string) => Promise<unknown>;

async function race(instances: SessionApp[], change: Change, allowed: (status: number) => boolean) {
  const [a, b] = instances as [SessionApp, SessionApp];
  let refusedAfter = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const email = `race${round}-${Math.random().toString(36).slice(2)}@example.com`;
    await a.tessera.adminCreateUser(email, SESSION_PASSWORD, { roles: ["admin"] });
    const login = await a.app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: APP_ORIGIN },
      payload: new URLSearchParams({ email, password: SESSION_PASSWORD }).toString(),
    });
    const cookie = setSessionValue(login.headers["set-cookie"]) ?? "";
    const sessionId = (await a.tessera.sessions.validate(cookie))?.session.id ?? "";
    expect(sessionId).not.toBe("");

    let committed = false;
    const results: Array<{ after: boolean; status: number }> = [];
    const hammer = async (instance: SessionApp) => {
      for (let after = 0; after < AFTER; ) {
        const sentAfter = committed;
        const res = await instance.app.inject({
          method: "GET",
          url: "/admin",
          headers: { cookie: `__Host-tessera_session=${cookie}` },
        });
        results.push({ after: sentAfter, status: res.statusCode });
        if (sentAfter) after++;
        // In-process requests over a synchronous driver can resolve without ever leaving the
        // microtask queue: give the change's I/O (the password hash) its turn.
        await nextTurn();
        if (results.length > 5000) throw new Error("the change never resolved");
      }
    };
    await Promise.all([
      hammer(a),
      hammer(b),
      change(b, email, sessionId).finally(() => {
        committed = true;
      }),
    ]);
    const late = results.filter((r) => r.after);
    expect(late.length).toBe(2 * AFTER);
    for (const r of late) expect(allowed(r.status), `status ${r.status} after the change`).toBe(false);
    refusedAfter += late.length;
  }
  return refusedAfter;
}

function describeRaces(
  name: string,
  open: () => Promise<{ stores: [Store, Store]; close(): Promise<void> }>,
) {
  describe(`server sessions vs privilege changes (${name}, two instances)`, () => {
    let instances: SessionApp[] = [];
    let close: () => Promise<void> = async () => {};

    beforeAll(async () => {
      const opened = await open();
      close = opened.close;
      instances = [];
      for (const store of opened.stores) instances.push(await startSessionApp({ store }));
    }, 60_000);
    afterAll(async () => {
      for (const instance of instances) await instance.close();
      await close();
    });

    it("a password change: the old cookie opens nothing once it committed", async () => {
      const refused = await race(
        instances,
        (instance, _email, sessionId) =>
          instance.tessera.sessions.changePassword(sessionId, {
            currentPassword: SESSION_PASSWORD,
            newPassword: "another long passphrase",
            context: { ip: null, userAgent: null },
          }),
        (status) => status === 200,
      );
      expect(refused).toBe(ROUNDS * 2 * AFTER);
    });

    it("a role removal: the old cookie no longer passes requireRole once it committed", async () => {
      const refused = await race(
        instances,
        (instance, email) => instance.tessera.adminChangeRoles(email, { remove: ["admin"] }),
        (status) => status === 200,
      );
      expect(refused).toBe(ROUNDS * 2 * AFTER);
    });
  });
}

describeRaces("SQLite", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "tessera-ssr-race-")), "tessera.db");
  const first = createSqliteStore({ path });
  await first.migrate();
  const stores: [Store, Store] = [first, createSqliteStore({ path })];
  return { stores, close: async () => {} };
});

describe.skipIf(!postgresTestsEnabled())("on PostgreSQL", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  }, 60_000);
  afterAll(() => pg?.stop());
  describeRaces("PostgreSQL", async () => {
    const url = await pg.createDatabase();
    const first = createPostgresStore({ connectionString: url });
    await first.migrate();
    const stores: [Store, Store] = [first, createPostgresStore({ connectionString: url })];
    return { stores, close: async () => {} };
  });
});
