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

  it("tolerates gaps: a step numbered below one already applied (merged later) is applied then", async () => {
    const url = await server.createDatabase();
    const db = new Db({ connectionString: url });
    try {
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      const merged = [{ version: 4, name: "merged later", sql: "CREATE TABLE merged_four (x INTEGER)" }];
      expect(migrations.some((m) => m.version === 4)).toBe(false);
      expect(await migrate(db, [...migrations, ...merged])).toEqual([4]);
      expect(await migrate(db, [...migrations, ...merged])).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
