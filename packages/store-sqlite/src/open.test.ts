import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./open.js";
import { createSqliteStore } from "./store.js";

// PRAGMA synchronous reads back 1 for NORMAL and 2 for FULL.
describe("openDatabase durability", () => {
  const work = mkdtempSync(join(tmpdir(), "tessera-open-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("is WAL with synchronous=NORMAL by default, FULL when asked", () => {
    const normal = openDatabase(join(work, "normal.db"), 1000);
    const full = openDatabase(join(work, "full.db"), 1000, "full");
    try {
      expect(normal.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(normal.pragma("synchronous", { simple: true })).toBe(1);
      expect(full.pragma("synchronous", { simple: true })).toBe(2);
    } finally {
      normal.close();
      full.close();
    }
  });

  it("createSqliteStore refuses an unknown synchronous level", () => {
    expect(() =>
      createSqliteStore({ path: join(work, "x.db"), synchronous: "off" as unknown as "full" }),
    ).toThrow(/synchronous/);
  });
});
