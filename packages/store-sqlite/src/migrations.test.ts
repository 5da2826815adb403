import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "./driver.js";
import { applyMigrations, migrations } from "./migrations.js";
import { createSqliteStore } from "./store.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const nodeModules = fileURLToPath(new URL("../../../node_modules", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each child process waits for a common start time so they really overlap, then migrates the same
// file. A deliberately slow extra step (create a table, then ~0.1 s of work) keeps the first one
// inside its transaction for a while, so the others arrive while it holds the lock. Checked by hand:
// with the BEGIN IMMEDIATE transaction removed from applyMigrations, 6 of 6 runs failed ("table
// race_marker already exists" / "table users already exists").
const CHILD = `
import { applyMigrations, migrations } from "./migrations.js";
import { openDatabase } from "./open.js";
const [path, startAt] = process.argv.slice(2);
const slowStep = {
  version: 1000,
  name: "slow step for the race test",
  sql: "CREATE TABLE race_marker (c INTEGER) STRICT; INSERT INTO race_marker WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 600000) SELECT count(*) FROM n",
};
setTimeout(() => {
  const db = openDatabase(path, 10000);
  const applied = applyMigrations(db, [...migrations, slowStep]);
  db.close();
  process.stdout.write(JSON.stringify(applied));
}, Math.max(0, Number(startAt) - Date.now()));
`;

async function bundleChild(): Promise<string> {
  const out = await build({
    stdin: { contents: CHILD, resolveDir: here, loader: "ts", sourcefile: "migrate-child.ts" },
    bundle: true,
    platform: "node",
    format: "cjs",
    external: ["better-sqlite3", "better-sqlite3-node20"],
    // The driver loader resolves the build from its own place in the repository.
    define: { "import.meta.url": JSON.stringify(pathToFileURL(join(here, "driver.ts")).href) },
    write: false,
    logLevel: "silent",
  });
  const file = join(dir, "migrate-child.cjs");
  writeFileSync(file, out.outputFiles[0]?.text ?? "");
  return file;
}

function versionsIn(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe("migrations", () => {
  it("are numbered in strictly increasing order", () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it("apply once, then nothing; a later step is applied alone", () => {
    const db = new Database(":memory:");
    expect(applyMigrations(db)).toEqual(migrations.map((m) => m.version));
    expect(applyMigrations(db)).toEqual([]);
    const later = { version: 999, name: "later", sql: "CREATE TABLE later_step (x INTEGER) STRICT" };
    expect(applyMigrations(db, [...migrations, later])).toEqual([999]);
    expect(applyMigrations(db, [...migrations, later])).toEqual([]);
    db.close();
  });

  it("apply a missing lower version after a higher one (steps of parallel branches merged in any order)", () => {
    const db = new Database(":memory:");
    expect(
      applyMigrations(
        db,
        migrations.filter((m) => m.version !== 3),
      ),
    ).not.toContain(3);
    expect(applyMigrations(db, migrations)).toEqual([3]);
    expect(applyMigrations(db, migrations)).toEqual([]);
    db.close();
  });

  it("tolerate gaps: a step numbered below one already applied (merged later) is applied then", () => {
    const db = new Database(":memory:");
    expect(applyMigrations(db)).toEqual(migrations.map((m) => m.version));
    const merged = [
      { version: 40, name: "merged later", sql: "CREATE TABLE merged_four (x INTEGER) STRICT" },
      { version: 50, name: "merged later", sql: "CREATE TABLE merged_five (x INTEGER) STRICT" },
    ];
    expect(migrations.some((m) => m.version === 40 || m.version === 50)).toBe(false);
    expect(applyMigrations(db, [...merged, ...migrations])).toEqual([40, 50]);
    expect(applyMigrations(db, [...merged, ...migrations])).toEqual([]);
    db.close();
  });

  it("roll a failing step back entirely", () => {
    const db = new Database(":memory:");
    const broken = {
      version: 999,
      name: "broken",
      sql: "CREATE TABLE half (x INTEGER); SELECT * FROM missing",
    };
    expect(() => applyMigrations(db, [...migrations, broken])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name IN ('users', 'half')").all()).toEqual([]);
    db.close();
  });

  it("are safe from several processes at once: each step applied exactly once", async () => {
    const child = await bundleChild();
    const path = join(dir, "shared.db");
    const startAt = Date.now() + 600;
    const env = { ...process.env, NODE_PATH: nodeModules };
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => run(process.execPath, [child, path, String(startAt)], { env })),
    );
    const applied = results.map((r) => JSON.parse(r.stdout) as number[]);
    const all = [...migrations.map((m) => m.version), 1000];
    // Exactly one process applied everything; the others found nothing left to do.
    expect(applied.filter((a) => a.length > 0)).toEqual([all]);
    expect(applied.filter((a) => a.length === 0)).toHaveLength(5);
    expect(versionsIn(path)).toEqual(all);
  });
});

describe("version gaps", () => {
  it("applies a version above the current one across a gap, and a lower one merged in later", () => {
    const db = new Database(":memory:");
    const upTo3 = migrations.filter((m) => m.version <= 3);
    expect(applyMigrations(db, upTo3)).toEqual([1, 2, 3]);
    // Version 8 (mail tokens) arrives before 4–7 exist.
    expect(applyMigrations(db)).toEqual(migrations.filter((m) => m.version > 3).map((m) => m.version));
    expect(db.prepare("SELECT email_verified FROM users").all()).toEqual([]);
    // A step numbered inside the gap, merged later, is still applied once.
    const gapStep = { version: 55, name: "merged later", sql: "CREATE TABLE gap_marker (c INTEGER) STRICT" };
    expect(applyMigrations(db, [...migrations, gapStep])).toEqual([55]);
    expect(applyMigrations(db, [...migrations, gapStep])).toEqual([]);
    db.close();
  });
});

describe("remembered server sessions (11)", () => {
  it("reads a server session stored before 11 as not remembered, and the column takes only 0 or 1", async () => {
    const path = join(dir, "before-11.db");
    const db = new Database(path);
    applyMigrations(
      db,
      migrations.filter((m) => m.version < 11),
    );
    db.exec(`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'a@example.com', 'h', 1);
      INSERT INTO sessions (id, kind, user_id, client_id, created_at, expires_at, last_used_at, secret_hash,
      idle_timeout_ms) VALUES ('s1', 'server', 'u1', 'tessera', 1, 2, 1, 'hash', 1000)`);
    db.close();
    const store = createSqliteStore({ path });
    try {
      await store.migrate();
      expect((await store.getServerSession("s1"))?.session.remember).toBe(false);
    } finally {
      await store.close();
    }
    const after = new Database(path);
    expect(() => after.exec("UPDATE sessions SET remember = 2 WHERE id = 's1'")).toThrow(/CHECK/);
    after.close();
  });
});
