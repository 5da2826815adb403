import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createPostgresStore } from "@tessera/store-postgres";
import { findPostgresBinDir, startTestPostgres } from "@tessera/store-postgres/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import { refreshLimit } from "./limits.js";
import { createLoginUsers, createSessions, seedTessera } from "./seed.js";

/**
 * Prepares a store for the HTTP runs: migrate, create the refresh sessions and the login users
 * through core, and measure the in-process refresh limit on it. The store connection is closed
 * before any server starts, so the server is the only one using the database during a run.
 *
 * @param {import("@tessera/core").Store} store
 * @param {{ sessions: number, loginUsers: number, limit: { workers: number, rounds: number, roundMs: number, warmupMs: number } }} settings
 */
async function prepare(store, settings) {
  const masterKey = randomBytes(32);
  try {
    await store.migrate();
    const tessera = await seedTessera(store, new Uint8Array(masterKey));
    const sessions = await createSessions(tessera, settings.sessions);
    const emails = await createLoginUsers(store, new Uint8Array(masterKey), settings.loginUsers);
    const limit = await refreshLimit(tessera, sessions, settings.limit);
    return {
      masterKeyHex: masterKey.toString("hex"),
      sessions,
      emails,
      limitPerSecond: limit.perSecond,
      limitCpuUsPerOp: limit.cpuUsPerOp,
    };
  } finally {
    await store.close();
  }
}

/**
 * A fresh SQLite database file in `dir`, prepared as above.
 *
 * @example
 * const db = await prepareSqlite(tmpDir, settings);
 *
 * @param {string} dir
 * @param {Parameters<typeof prepare>[1]} settings
 */
export async function prepareSqlite(dir, settings) {
  const path = join(dir, "tessera.db");
  const prepared = await prepare(createSqliteStore({ path }), settings);
  return { ...prepared, path, databaseUrl: `sqlite:${path}` };
}

/**
 * Whether PostgreSQL binaries (initdb, pg_ctl) or `$TESSERA_TEST_POSTGRES_URL` are available.
 *
 * @returns {boolean}
 */
export function postgresAvailable() {
  return Boolean(process.env.TESSERA_TEST_POSTGRES_URL) || findPostgresBinDir() !== null;
}

/**
 * A throwaway PostgreSQL server (store-postgres's test harness: 127.0.0.1, temp dir) and a fresh
 * database prepared as above. Call `stop()` at the end. The harness runs PostgreSQL with fsync,
 * synchronous_commit and full_page_writes off (set on its command line, which SQL cannot
 * override), so commits cost no disk flush: these figures are an upper bound for a durable server.
 *
 * @example
 * const pg = await preparePostgres(settings);
 * await pg.stop();
 *
 * @param {Parameters<typeof prepare>[1]} settings
 */
export async function preparePostgres(settings) {
  const server = await startTestPostgres();
  try {
    const databaseUrl = await server.createDatabase();
    const prepared = await prepare(createPostgresStore({ connectionString: databaseUrl }), settings);
    return { ...prepared, databaseUrl, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
