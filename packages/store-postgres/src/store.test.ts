import type { Store } from "@tessera/core";
import { TesseraError } from "@tessera/core";
import { expectSingleRotationWinner } from "@tessera/core/testing";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "./db.js";
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

// Behaviour beyond the shared conformance suite, kept the same as the SQLite store's.
describe.skipIf(!postgresTestsEnabled())("PostgreSQL store specifics", () => {
  let server: TestPostgres;
  let url: string;
  let stores: Store[];
  beforeAll(async () => {
    server = await startTestPostgres();
    url = await server.createDatabase();
    stores = [1, 2, 3].map(() => createPostgresStore({ connectionString: url, pool: { max: 5 } }));
    await stores[0]!.migrate();
  });
  afterAll(async () => {
    await Promise.all((stores ?? []).map((s) => s.close()));
    await server?.stop();
  });

  it("lets exactly one of 50 rotations spread over three pools (three instances) win", async () => {
    await expectSingleRotationWinner(stores, 50);
  });

  it("revokeUserSessions of an unknown user is not_found and records nothing", async () => {
    const store = stores[0]!;
    const before = await store.listRevocations(0, 1000);
    expect(
      await codeOf(store.revokeUserSessions({ userId: "usr_nobody", now: T0, reason: "logout_all" })),
    ).toBe("not_found");
    expect(await store.listRevocations(0, 1000)).toEqual(before);
  });

  it("a key update naming an unknown kid fails the whole batch", async () => {
    const store = stores[0]!;
    const key = {
      kid: "kid_batch",
      alg: "EdDSA" as const,
      status: "next" as const,
      publicJwk: null,
      privateSealed: "sealed",
      createdAt: T0,
      activatedAt: null,
      retiredAt: null,
    };
    expect(
      await codeOf(
        store.applyKeyChanges({ inserts: [key], updates: [{ kid: "kid_missing", status: "retired" }] }),
      ),
    ).toBe("not_found");
    expect((await store.listSigningKeys()).map((k) => k.kid)).not.toContain("kid_batch");
  });

  it("treats since and until of the audit filter as inclusive", async () => {
    const store = stores[0]!;
    for (const at of [T0, T0 + 1, T0 + 2]) {
      await store.appendAudit({
        at,
        type: "pg.inclusive",
        outcome: "success",
        userId: null,
        sessionId: null,
        ip: null,
        userAgent: null,
        data: { big: 2 ** 40, ok: true },
      });
    }
    const events = await store.listAudit({ type: "pg.inclusive", since: T0, until: T0 + 1 });
    expect(events.map((e) => e.at)).toEqual([T0, T0 + 1]);
    expect(events[0]?.data).toEqual({ big: 2 ** 40, ok: true });
  });

  it("cuts a statement off at statementTimeoutMs and reports store_unavailable", async () => {
    const db = new Db({ connectionString: url, statementTimeoutMs: 100 });
    try {
      expect(await codeOf(db.query("SELECT pg_sleep(5)"))).toBe("store_unavailable");
      // The connection is still usable afterwards.
      expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("rejects an empty connection string at creation", () => {
    expect(() => createPostgresStore({ connectionString: "" })).toThrow(TypeError);
  });
});
