import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { loadOrCreateDevMasterKey } from "./master-key.js";
import type { ServerConfig } from "./server-config.js";

/**
 * The master key to run with: the configured one, or — outside production only — a development
 * key kept in the data dir (`<dir of the SQLite file>/master.key`, else `./data/master.key`),
 * created on first run. An in-memory SQLite database gets a throwaway key.
 *
 * @example
 * const { key, note } = resolveMasterKey(loadConfig(process.env));
 */
export function resolveMasterKey(config: ServerConfig): { key: Uint8Array; note: string | null } {
  if (config.masterKey) return { key: config.masterKey, note: null };
  if (config.production) throw new Error("TESSERA_MASTER_KEY is required in production");
  if (config.database.kind === "sqlite" && config.database.path === ":memory:") {
    return {
      key: new Uint8Array(randomBytes(32)),
      note: "using a throwaway master key (in-memory database)",
    };
  }
  const dataDir =
    config.database.kind === "sqlite" ? dirname(resolve(config.database.path)) : resolve("data");
  const { key, path, created } = loadOrCreateDevMasterKey(dataDir);
  return { key, note: created ? `created a development master key at ${path}` : null };
}
