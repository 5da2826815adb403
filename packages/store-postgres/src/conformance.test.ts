import type { Store } from "@tessera/core";
import { runStoreConformance } from "@tessera/core/testing";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe } from "vitest";
import { createPostgresStore } from "./store.js";

describe.skipIf(!postgresTestsEnabled())("PostgreSQL store", () => {
  let server: TestPostgres;
  // Which database each store uses, so a sibling can open a second pool on the same one.
  const databaseOf = new WeakMap<Store, string>();

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  runStoreConformance("postgres", {
    async create() {
      const url = await server.createDatabase();
      const store = createPostgresStore({ connectionString: url });
      databaseOf.set(store, url);
      return store;
    },
    async createSibling(store) {
      const url = databaseOf.get(store);
      if (!url) throw new Error("unknown store");
      return createPostgresStore({ connectionString: url });
    },
  });
});
