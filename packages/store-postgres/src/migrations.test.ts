import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "./db.js";
import { migrate, migrations } from "./migrations.js";
import { createPostgresStore } from "./store.js";

describe.skipIf(!postgresTestsEnabled())("PostgreSQL migrations", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function appliedVersions(url: string): Promise<number[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await client.query<{ version: number }>(
        "SELECT version FROM tessera_schema_migrations ORDER BY version",
      );
      return result.rows.map((r) => r.version);
    } finally {
      await client.end();
    }
  }

  it("applies each migration once when three instances migrate at the same moment", async () => {
    const url = await server.createDatabase();
    const stores = [1, 2, 3].map(() => createPostgresStore({ connectionString: url }));
    try {
      // Without the advisory lock the racing CREATE TABLEs collide (duplicate pg_type entries)
      // or a version is inserted twice; with it, all three succeed.
      await Promise.all(stores.map((s) => s.migrate()));
      expect(await appliedVersions(url)).toEqual(migrations.map((m) => m.version));
      await stores[0]!.migrate();
      expect(await appliedVersions(url)).toEqual(migrations.map((m) => m.version));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("applies a missing lower version after a higher one (branches numbered 3 and 4 merged in any order)", async () => {
    const url = await server.createDatabase();
    const db = new Db({ connectionString: url });
    try {
      expect(
        await migrate(
          db,
          migrations.filter((m) => m.version !== 3),
        ),
      ).toContain(4);
      const gap = { version: 3, name: "landed later", sql: "CREATE TABLE tessera_gap_probe (x INTEGER)" };
      expect(await migrate(db, [...migrations.filter((m) => m.version !== 3), gap])).toEqual([3]);
      expect(await appliedVersions(url)).toContain(3);
    } finally {
      await db.close();
    }
  });

  it("reads a server session stored before 11 as not remembered", async () => {
    const url = await server.createDatabase();
    const db = new Db({ connectionString: url });
    try {
      await migrate(
        db,
        migrations.filter((m) => m.version < 11),
      );
      await db.query(
        "INSERT INTO tessera_users (id, email, password_hash, created_at) VALUES ('u1', 'a@example.com', 'h', 1)",
      );
      await db.query(`INSERT INTO tessera_sessions (id, kind, user_id, client_id, created_at, expires_at,
        last_used_at, secret_hash, idle_timeout_ms) VALUES ('s1', 'server', 'u1', 'tessera', 1, 2, 1, 'hash', 1000)`);
    } finally {
      await db.close();
    }
    const store = createPostgresStore({ connectionString: url });
    try {
      await store.migrate();
      expect((await store.getServerSession("s1"))?.session.remember).toBe(false);
    } finally {
      await store.close();
    }
  });
});
