import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@tessera/core";
import { runStoreConformance } from "@tessera/core/testing";
import { afterAll } from "vitest";
import { createSqliteStore } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-conformance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const paths = new WeakMap<Store, string>();

runStoreConformance("sqlite file", {
  async create() {
    const path = join(dir, `store-${++files}.db`);
    const store = createSqliteStore({ path });
    paths.set(store, path);
    return store;
  },
  async createSibling(store) {
    const path = paths.get(store);
    if (!path) throw new Error("unknown store");
    return createSqliteStore({ path });
  },
});

runStoreConformance("sqlite :memory:", {
  create: async () => createSqliteStore({ path: ":memory:" }),
});
