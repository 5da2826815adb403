import { randomBytes } from "node:crypto";
import { createTessera, type PasswordHasher, type Store } from "@tessera/core";
import { createSqliteStore } from "@tessera/store-sqlite";
import type { FastifyInstance } from "fastify";
import { buildSsrApp } from "./app.js";

export interface SsrExample {
  url: string;
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

/**
 * Starts the example on `host:port` (port 0: a free one) over an SQLite database (`:memory:` by
 * default) with two accounts: `admin@example.com` (role admin) and `user@example.com`, both with
 * `password`.
 *
 * @example
 * const example = await startSsrExample({ port: 3100, password: "correct horse battery staple" });
 */
export async function startSsrExample(options: {
  host?: string;
  port?: number;
  password: string;
  databasePath?: string;
  passwordHasher?: PasswordHasher;
}): Promise<SsrExample> {
  const host = options.host ?? "127.0.0.1";
  const store = createSqliteStore({ path: options.databasePath ?? ":memory:" });
  await store.migrate();
  const tessera = await createTessera({
    store,
    // A real deployment loads its master key (`tessera keys`); a random one suits a demo database.
    masterKey: randomBytes(32),
    issuer: "http://tessera.example",
    audience: "ssr-example",
    roles: { admin: ["users:read"] },
    ...(options.passwordHasher ? { passwordHasher: options.passwordHasher } : {}),
  });
  for (const [email, roles] of [
    ["admin@example.com", ["admin"]],
    ["user@example.com", []],
  ] as const) {
    if ((await store.getUserByEmail(email)) === null)
      await tessera.adminCreateUser(email, options.password, { roles });
  }
  // The origin must be known before the plugin is registered: take the port first.
  const port = options.port || (await freePort(host));
  const origin = `http://${host}:${port}`;
  const app = await buildSsrApp({ tessera, origins: [origin] });
  await app.listen({ host, port });
  return {
    url: origin,
    app,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

async function freePort(host: string): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as import("node:net").AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
