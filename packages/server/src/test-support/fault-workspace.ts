import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectSqliteFile, type SqliteInspection } from "@tessera/store-sqlite/testing";
import { expect } from "vitest";
import { MASTER_KEY_HEX } from "./test-server.js";

/** Settings every fault test's instances share: fixed key and issuer, no rate limits in the way of the load. */
export const LOAD_ENV: Readonly<Record<string, string>> = {
  TESSERA_MASTER_KEY: MASTER_KEY_HEX,
  TESSERA_ISSUER: "http://auth.example.test",
  TESSERA_RATE_LIMIT_IP: "off",
  TESSERA_RATE_LIMIT_LOGIN: "off",
  TESSERA_RATE_LIMIT_CREDENTIALS: "off",
};

/** A temp directory holding one SQLite database for a fault test. */
export interface SqliteWorkspace {
  path: string;
  /** `LOAD_ENV`, the database URL, and `extra`. */
  env: Record<string, string>;
  /** After the last server on the file stopped: integrity check clean, no forked rotation chain. */
  expectSound(): SqliteInspection;
  dispose(): void;
}

/**
 * @example
 * const ws = sqliteWorkspace("crash", { TESSERA_REFRESH_GRACE: "60s" });
 * const instance = await spawnInstance(ws.env);
 */
export function sqliteWorkspace(name: string, extra: Record<string, string> = {}): SqliteWorkspace {
  const work = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
  const path = join(work, "tessera.db");
  return {
    path,
    env: { ...LOAD_ENV, TESSERA_DATABASE_URL: `sqlite:${path}`, ...extra },
    expectSound() {
      const file = inspectSqliteFile(path);
      expect(file.integrity).toEqual(["ok"]);
      expect(file.forkedSessions).toEqual([]);
      return file;
    },
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}
