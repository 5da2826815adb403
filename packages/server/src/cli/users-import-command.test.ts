import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTessera } from "@tessera/core";
import { createTestHasher, legacyHashOf } from "@tessera/core/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "../test-support/cli-process.js";
import { MASTER_KEY_HEX } from "../test-support/test-server.js";

// `tessera users import <file.jsonl>` as the real binary, on a temp SQLite file.

const work = mkdtempSync(join(tmpdir(), "tessera-import-cli-"));
const dbPath = join(work, "tessera.db");
const env = {
  TESSERA_DATABASE_URL: `sqlite:${dbPath}`,
  TESSERA_MASTER_KEY: MASTER_KEY_HEX,
  TESSERA_LOG_LEVEL: "warn",
};

beforeAll(async () => {
  await buildCli();
});

describe("tessera users import", () => {
  it("imports the good lines, prints each skipped line with its reason, exits 0", async () => {
    const scrypt = await legacyHashOf("scrypt", "scrypt password 1");
    const passlib = await legacyHashOf("passlib", "passlib password 1");
    const lines = [
      JSON.stringify({ email: "one@example.test", password_hash: scrypt }),
      "",
      JSON.stringify({ email: "two@example.test", password_hash: passlib, roles: ["staff"] }),
      "{not json",
      JSON.stringify({ email: "one@example.test", password_hash: passlib }),
      JSON.stringify({ email: "bad@example.test", password_hash: "$2b$10$short" }),
      JSON.stringify({ email: "\u001b[31mred@example.test", password_hash: passlib }),
      JSON.stringify({ email: "none@example.test" }),
    ];
    const file = join(work, "users.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const res = await runCli(["users", "import", file], { env, cwd: work });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      [
        'line 4: "": invalid_json',
        'line 5: "one@example.test": email_taken',
        'line 6: "bad@example.test": malformed_hash',
        'line 7: "\\u001b[31mred@example.test": invalid_email',
        "imported 3 users, skipped 4",
        "",
      ].join("\n"),
    );

    // The imported hashes log in once, and are argon2id after.
    const store = createSqliteStore({ path: dbPath });
    try {
      expect((await store.getUserByEmail("one@example.test"))?.passwordHash).toBe(scrypt);
      const tessera = await createTessera({
        store,
        masterKey: Buffer.from(MASTER_KEY_HEX, "hex"),
        issuer: "http://localhost:3000",
        audience: "api",
        passwordHasher: createTestHasher(),
      });
      const context = { ip: null, userAgent: null };
      await tessera.login({ email: "one@example.test", password: "scrypt password 1", context });
      await tessera.login({ email: "two@example.test", password: "passlib password 1", context });
      for (const email of ["one@example.test", "two@example.test"]) {
        expect((await store.getUserByEmail(email))?.passwordHash).toMatch(/^\$argon2id\$/);
      }
    } finally {
      await store.close();
    }
  });

  it("exits non-zero, importing nothing, when the file cannot be read", async () => {
    const res = await runCli(["users", "import", join(work, "missing.jsonl")], { env, cwd: work });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`tessera: cannot read ${join(work, "missing.jsonl")}: ENOENT`);
    expect(res.stdout).toBe("");
  });
});
