// A connection that fails because of a setting says what was wrong and what to do, in one line.
import { isTesseraError } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "./store.js";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "./testing/index.js";

describe.skipIf(!postgresTestsEnabled())("connection errors", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  async function failure(url: string): Promise<{ code: string; message: string }> {
    const store = createPostgresStore({ connectionString: url });
    try {
      await store.migrate();
    } catch (error) {
      if (isTesseraError(error)) return { code: error.code, message: error.message };
      throw error;
    } finally {
      await store.close().catch(() => {});
    }
    throw new Error("expected the store to fail");
  }

  it("sslmode=require against a server without TLS", async () => {
    const url = new URL(await server.createDatabase());
    url.searchParams.set("sslmode", "require");
    expect(await failure(url.href)).toEqual({
      code: "store_unavailable",
      message:
        "the PostgreSQL server does not accept TLS but the database URL requires it (sslmode=require): " +
        "enable ssl on the server, or drop sslmode from TESSERA_DATABASE_URL on a trusted network",
    });
  });
});
