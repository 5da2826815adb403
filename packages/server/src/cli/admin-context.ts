import { createTessera, type Store, type Tessera } from "@tessera/core";
import { loadConfig } from "../config/load-config.js";
import { resolveMasterKey } from "../config/resolve-master-key.js";
import type { Environment } from "../config/secrets.js";
import type { ServerConfig } from "../config/server-config.js";
import { tesseraOptions } from "../config/tessera-options.js";
import { openStore } from "../open-store.js";

/** A token service for one administrative command, over the configured (migrated) store. */
export interface AdminContext {
  config: ServerConfig;
  store: Store;
  tessera: Tessera;
  close(): Promise<void>;
}

/**
 * Opens the configured store (applying pending migrations, so a fresh install works) and a token
 * service on it, with the same master key the server uses.
 *
 * @example
 * const admin = await openAdmin(process.env);
 * try { console.log(await admin.tessera.adminListUsers()); } finally { await admin.close(); }
 */
export async function openAdmin(env: Environment, log: (line: string) => void): Promise<AdminContext> {
  const config = loadConfig(env);
  const { key, note } = resolveMasterKey(config);
  if (note) log(note);
  const store = openStore(config.database);
  try {
    await store.migrate();
    const tessera = await createTessera({ ...tesseraOptions(config), store, masterKey: key });
    return {
      config,
      store,
      tessera,
      close: async () => {
        await tessera.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

/**
 * Runs one administrative action with a fresh context, closed afterwards whatever happens.
 *
 * @example
 * await withAdmin(env, io.err, async ({ tessera }) => io.out(String((await tessera.adminListUsers()).length)));
 */
export async function withAdmin(
  env: Environment,
  log: (line: string) => void,
  action: (admin: AdminContext) => Promise<void>,
): Promise<void> {
  const admin = await openAdmin(env, log);
  try {
    await action(admin);
  } finally {
    await admin.close();
  }
}
